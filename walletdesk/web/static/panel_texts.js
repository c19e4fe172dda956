/* walletdesk workspace: the words of the side panel's codes, in the agent's interface language,
 * for customer_context.js and chain_lookups.js (loaded before them). The server sends codes
 * (why the operator's endpoint or a chain's gave no answer, why a transfer failed, which
 * chain): an agent reads a sentence, never the code; a code this script does not know reads
 * as a generic sentence. The texts come from the page's catalog (wd-texts, gettext). */
(function () {
  "use strict";
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  function fmt(s, v) { return s.replace(/\{(\w+)\}/g, function (m, k) { return v[k] !== undefined ? v[k] : m; }); }
  var own = Object.prototype.hasOwnProperty;
  function pick(map, code) { return typeof code === "string" && own.call(map, code) ? map[code] : null; }

  // the chains of walletdesk.chains.networks, and the short names a widget may report
  var CHAINS = {
    ethereum: gettext("Ethereum"), bsc: gettext("BNB Smart Chain"), polygon: gettext("Polygon"),
    arbitrum: gettext("Arbitrum One"), base: gettext("Base"), optimism: gettext("OP Mainnet"),
    bitcoin: gettext("Bitcoin"), tron: gettext("TRON"), solana: gettext("Solana")};
  var ALIASES = {eth: "ethereum", erc20: "ethereum", bnb: "bsc", bep20: "bsc", matic: "polygon",
    pol: "polygon", arb: "arbitrum", op: "optimism", btc: "bitcoin", trx: "tron", trc20: "tron",
    sol: "solana"};

  // walletdesk.customer_context.operator: why the operator's endpoint gave no context
  var OPERATOR = {timeout: gettext("it did not answer in time"), connection: gettext("it could not be reached"),
    bad_json: gettext("its answer was not readable"), too_large: gettext("its answer was too large")};

  // walletdesk.chains.results (ChainUnavailable): why a chain's endpoint gave no answer
  var UNAVAILABLE = {timeout: gettext("the chain's endpoint did not answer in time"),
    rate_limited: gettext("the chain's endpoint is limiting requests: try again in a moment"),
    malformed: gettext("the chain's endpoint sent an answer the desk cannot read"),
    unreachable: gettext("the chain's endpoint could not be reached")};

  // why a transfer failed: walletdesk.chains.results, the TRON receipt's results (adapters/
  // tron.py, lower case) and Solana's errors (adapters/solana.py, lower case, no separators)
  var CONTRACT_FAILED = gettext("the contract stopped with an error while running");
  var FAILURES = {reverted: gettext("the contract rejected the transfer"),
    out_of_gas: gettext("it ran out of gas: the fee limit set was too low"),
    out_of_energy: gettext("the account did not have enough energy (or TRX to burn) for the fee"),
    out_of_bandwidth: gettext("the account did not have enough bandwidth (or TRX to burn) for the fee"),
    out_of_time: gettext("the contract took longer than the chain allows"),
    transfer_failed: gettext("the token transfer inside the contract failed"),
    bad_jump_destination: CONTRACT_FAILED, out_of_memory: CONTRACT_FAILED,
    precompiled_contract: CONTRACT_FAILED, stack_too_small: CONTRACT_FAILED,
    stack_too_large: CONTRACT_FAILED, illegal_operation: CONTRACT_FAILED,
    stack_overflow: CONTRACT_FAILED, jvm_stack_over_flow: CONTRACT_FAILED, invalid_code: CONTRACT_FAILED,
    insufficientfundsforfee: gettext("the account could not pay the network fee"),
    insufficientfundsforrent: gettext("the account would have kept too little SOL (rent)"),
    accountnotfound: gettext("the paying account does not exist on the chain"),
    blockhashnotfound: gettext("it expired before the chain processed it"),
    alreadyprocessed: gettext("the chain had already processed it")};

  window.wdPanelTexts = {
    /** A chain's name in the agent's language: a slug ("tron") or a widget's short name
     * ("btc"); ``label``: the server's English label, whose token standard (" (TRC-20)") is
     * kept. Unknown chains: the label, else the name as given. */
    chainName: function (slug, label) {
      var key = typeof slug === "string" ? slug.toLowerCase() : "";
      var name = pick(CHAINS, pick(ALIASES, key) || key);
      if (!name) return label || slug || "";
      var standard = /( \([^()]+\))$/.exec(label || "");
      return name + (standard ? standard[1] : "");
    },
    /** Why the operator's endpoint gave no account data ("timeout", "http_503", …). */
    operatorReason: function (code) {
      var text = pick(OPERATOR, code);
      if (text) return text;
      var http = /^http_(\d{3})$/.exec(code || "");
      if (!http) return gettext("it gave no usable answer");
      var status = +http[1];
      if (status === 401 || status === 403) return fmt(gettext("it refused the desk's signed request (HTTP {status}): check the shared secret"), {status: status});
      if (status === 404) return fmt(gettext("its address was not found (HTTP {status})"), {status: status});
      if (status === 429) return fmt(gettext("it asked the desk to slow down (HTTP {status})"), {status: status});
      if (status >= 500) return fmt(gettext("it had an error of its own (HTTP {status})"), {status: status});
      return fmt(gettext("it answered with an unexpected status (HTTP {status})"), {status: status});
    },
    /** Why a chain's endpoint gave no answer (a lookup "unavailable"). */
    chainError: function (code) {
      return pick(UNAVAILABLE, code) || gettext("the chain's endpoint gave no usable answer");
    },
    /** Why the chain says a transfer failed. */
    chainFailure: function (code) {
      return pick(FAILURES, code) || gettext("the chain gives a reason the desk does not know");
    }
  };
})();
