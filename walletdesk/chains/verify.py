"""Is a bare 64-hex value a transaction? Asked by the message path before it stores a message
whose only secret is such a value (docs/decisions/0044-a-transaction-id-sent-alone.md).

64 hex digits without ``0x`` and without a word saying what they are may be a Bitcoin or
TRON transaction id (an EVM one when an EVM network is named) or a raw private key: the
protect step removes them. When the desk's last message asked for a transaction hash, the
message path asks the configured chains, with a short timeout, whether a transaction with
that id exists; a value found is public data and is kept (its lookup, after commit, comes
from the chain client's cache: no second request). Not found, no endpoint for the chains the
shape fits, a timeout or an error: the value is removed as before. The desk's question alone
never keeps a value (a confused customer may paste a key when asked for a hash); without it
the value is not even looked up (a key is not sent to an endpoint on a guess).

Nothing here writes the value anywhere: no log line, metric or event carries it.
"""

import asyncio
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import structlog

from walletdesk.chains.detection import (
    ASSET_NATIVE,
    MAX_PER_MESSAGE,
    Found,
    asset_hint,
    candidates,
    network_hints,
)
from walletdesk.chains.lookup import ready_client
from walletdesk.chains.networks import BITCOIN, EVM, TRON
from walletdesk.chains.results import CONFIRMED, FAILED, PENDING

log = structlog.get_logger(__name__)
VERIFY_TIMEOUT_S = 2.0  # at most; less when the endpoints' own timeout is shorter
ON_CHAIN = (PENDING, CONFIRMED, FAILED)  # a transaction with that id exists
ASK_HASH_KIND = "chain_ask_hash"  # the meta kind of the bot's question for the hash
ASKED_WITHIN = timedelta(hours=1)
# a question is answered by the customer's next few messages; and a conversation whose values
# were removed this often within ASKED_WITHIN is not checked again (a customer pasting value
# after value would make the desk hammer the endpoint, each a key sent to a third party)
MAX_ANSWERS = 5
# an agent's (or a bot article's) question for the hash, in the desk's languages
_ASKS_FOR_HASH = re.compile(
    r"\btx\s*-?\s*(id|hash)\b|\btxid\b|\bhash\b|\btransaction\s+(id|hash)\b|"
    r"\bhash\s+de\s+(la\s+)?transac|\bid\s+de\s+(la\s+)?transac|哈希|交易\s*(id|ID|号|號|编号|編號)",
    re.IGNORECASE)


def asks_for_hash(text: str, meta: dict[str, Any] | None) -> bool:
    """Does this desk message (bot or agent) ask the customer for a transaction hash?"""
    return (meta or {}).get("kind") == ASK_HASH_KIND or bool(_ASKS_FOR_HASH.search(text))


async def transactions_on_chain(services: Any, values: Sequence[str],
                                text: str) -> frozenset[str]:
    """The values (bare 64 hex, lower case) that are transaction ids on a configured chain
    whose format they fit (as the after-commit lookup would look them up: ``text``'s network
    words count). Never raises; anything but a transaction found leaves a value out."""
    wanted = list(dict.fromkeys(v.lower() for v in values))[:MAX_PER_MESSAGE]
    if not wanted or not services.settings.chain_endpoints:
        log.info("chain_verify", values=len(wanted), kept=0, reason="no_endpoint")
        return frozenset()
    budget = min(VERIFY_TIMEOUT_S, services.settings.chain_timeout_s)
    try:
        async with asyncio.timeout(budget):
            client = await ready_client(services)
            hints = network_hints(text)
            # "100 TRX": a TRX transfer found in one round trip, not two (decision 0053)
            native = asset_hint(text) == ASSET_NATIVE

            async def exists(value: str) -> bool:
                found = Found("tx", value, (BITCOIN, TRON, EVM), 0)  # as detection finds it
                chains = [c for c in candidates(found, hints).chains if client.supports(c)]
                results = await asyncio.gather(*(client.look_up(c, value, native=native)
                                                 for c in chains))
                return any(result.status in ON_CHAIN for result in results)

            answers = await asyncio.gather(*(exists(value) for value in wanted))
    except TimeoutError:
        log.info("chain_verify", values=len(wanted), kept=0, reason="timeout")
        return frozenset()
    except Exception as exc:  # the safe answer: removed
        log.warning("chain_verify", values=len(wanted), kept=0, reason="error",
                    error=type(exc).__name__)
        return frozenset()
    kept = frozenset(value for value, yes in zip(wanted, answers, strict=True) if yes)
    log.info("chain_verify", values=len(wanted), kept=len(kept),
             reason="found" if kept else "not_found")
    return kept
