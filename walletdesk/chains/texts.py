"""What the bot tells a customer about their transfer, marked for the catalogs (the lead
extracts and translates them); the values are filled after translation."""

from typing import Any

from walletdesk.chains.results import TransferStatus
from walletdesk.i18n import N_, translate

# the key of WALLETDESK_CHAIN_ARTICLES linked with a transfer of a token the desk does not know
FAKE_TOKEN_ARTICLE = "fake_token"  # noqa: S105 - an article key, not a secret

TEXTS: dict[str, str] = {
    "chain_ask_hash": N_(
        "To check your transfer, please send me its transaction hash (TxID). You find it in the "
        "transfer's details in the app."),
    "chain_ask_hash_address": N_(
        "That looks like a wallet address. To check the transfer, please send its transaction "
        "hash (TxID) instead: you find it in the transfer's details in the app."),
    # Translators: {tx} is the start and end of what the customer sent, {count} its length
    "chain_ask_hash_incomplete": N_(
        "The transaction hash you sent ({tx}) looks incomplete or mistyped: it has {count} "
        "characters, and a transaction hash has 64 (not counting a leading 0x). Please copy it "
        "again from the transfer's details in the app and paste it here."),
    "chain_ask_network": N_(
        "I can't tell which network transaction {tx} was sent on, and I couldn't find it on the "
        "networks I can check. Which network was it ({options})?"),
    "chain_not_found": N_(
        "I couldn't find transaction {tx} on {network}. Please check that the hash is complete "
        "and that the transfer was sent on this network (a wrong network is the most common "
        "cause); a transfer the app has not broadcast yet cannot be found either."),
    "chain_pending": N_(
        "Your transfer {tx} on {network} has been sent but is not confirmed yet."),
    "chain_pending_underpriced": N_(
        "Your transfer {tx} on {network} is still pending: it offers at most {offered} gwei per "
        "gas while the network now asks {base_fee} gwei, so it waits until fees drop. You can "
        "speed it up or cancel it in the app."),
    "chain_pending_priced": N_(
        "Your transfer {tx} on {network} is pending. It offers up to {offered} gwei per gas, "
        "above the current base fee of {base_fee} gwei, so it should be confirmed within a "
        "few minutes."),
    "chain_pending_since": N_("It has been pending for at least {minutes} minutes."),
    "chain_confirmed": N_(
        "Your transfer {tx} on {network} is confirmed ({confirmations} confirmations): "
        "{amount} {token} to {recipient}."),
    # a token contract the desk does not know (decision 0054): never named by its own symbol
    "chain_confirmed_imitation": N_(
        "Your transfer {tx} on {network} is confirmed ({confirmations} confirmations): "
        "{amount} of a token calling itself \"{symbol}\" (contract {contract}) to "
        "{recipient}. This is not the real {symbol}: anyone can create a token with that "
        "name. Be careful: fake tokens are a common scam."),
    "chain_confirmed_unverified": N_(
        "Your transfer {tx} on {network} is confirmed ({confirmations} confirmations): "
        "{amount} of a token I don't recognise (contract {contract}) to {recipient}. Check "
        "this contract on the token's official website or a trusted explorer before you rely "
        "on it: fake tokens are a common scam."),
    "chain_confirmed_short": N_(
        "Your transfer {tx} on {network} is confirmed ({confirmations} confirmations)."),
    "chain_failed_reverted": N_(
        "Your transfer {tx} on {network} failed: the contract rejected it (reverted). The funds "
        "did not leave your wallet, but the network fee was charged."),
    "chain_failed_out_of_gas": N_(
        "Your transfer {tx} on {network} failed: it ran out of gas (its gas limit was too low). "
        "The funds did not leave your wallet, but the network fee was charged. Send it again "
        "with the gas limit the app suggests."),
    "chain_failed_out_of_energy": N_(
        "Your TRON transfer {tx} failed: the account did not have enough energy (OUT_OF_ENERGY). "
        "The tokens did not leave your wallet, but the TRX burned for the fee is not refunded. "
        "Get energy (stake or rent it) or keep more TRX, then send again."),
    "chain_failed_out_of_bandwidth": N_(
        "Your TRON transfer {tx} failed: the account did not have enough bandwidth or TRX for "
        "the fee. Keep some TRX in the wallet and send again."),
    "chain_failed_other": N_("Your transfer {tx} on {network} failed ({reason})."),
    "chain_wrong_network": N_(
        "Note: you mentioned {named}, but this transaction is on {network}. If the receiver "
        "expected {named}, they may need to help recover the funds."),
    "chain_memo_missing": N_(
        "Warning: {recipient} is a deposit address of {exchange} that needs a memo (tag), and "
        "this transfer carries none. Contact {exchange} with the transaction hash so they can "
        "credit it."),
    "chain_unsupported": N_(
        "I can't check transfers on {network} automatically. I'm passing you to a person from "
        "our team; they'll see everything above."),
    # a desk without chain endpoints (the demo): the bot answers with the pending article
    "chain_not_looked_up": N_(
        "I can't look up transfers on {network} myself, so I can't see the status of this "
        "one."),
    "chain_not_looked_up_any": N_(
        "I can't look up transfers on the blockchain myself, so I can't see the status of "
        "this one."),
    "chain_more_than_checked": N_(
        "I checked the first {count} transactions of your message. Please send the others in "
        "a new message."),
    "chain_unavailable": N_(
        "I couldn't reach the {network} network just now to check your transfer. I'm passing "
        "you to a person from our team; they'll see everything above."),
}


def text(key: str, language: str | None, **values: object) -> str:
    return translate(TEXTS[key], language, **values)


def confirmed(result: TransferStatus, language: str | None,
              **values: Any) -> tuple[str, str | None]:
    """The sentence of a confirmed transfer and the key of the article to link with it
    (``FAKE_TOKEN_ARTICLE`` for a token the desk does not know, else None); ``values``: the
    transfer's ``tx`` and ``network`` as shown.

    A token is named only when the desk knows its contract (``result.token``; decision 0054).
    An unverified one is said to be unknown, with its contract; the symbol it declares is
    quoted only when it is a known token's (then "not the real USDT"): any other text a
    contract chose — a link, "verified" — never reaches the customer."""
    confirmations = result.confirmations or 0
    if result.amount is None or not result.recipient:
        return text("chain_confirmed_short", language, confirmations=confirmations,
                    **values), None
    if not result.unverified_token:
        return text("chain_confirmed", language, confirmations=confirmations,
                    amount=result.amount, token=result.token or result.token_contract or "",
                    recipient=result.recipient, **values), None
    details = {"confirmations": confirmations, "amount": result.amount,
               "contract": result.token_contract or "?", "recipient": result.recipient}
    if result.imitated_token:
        return text("chain_confirmed_imitation", language, symbol=result.imitated_token,
                    **details, **values), FAKE_TOKEN_ARTICLE
    return text("chain_confirmed_unverified", language, **details, **values), \
        FAKE_TOKEN_ARTICLE
