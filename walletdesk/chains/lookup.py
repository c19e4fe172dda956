"""Looking a transaction up: the adapters of the configured chains, a short cache, one
request per (chain, hash) at a time, and where to look when the customer's words and the
hash's format do not settle the chain.

A chain without an endpoint (WALLETDESK_CHAIN_ENDPOINTS) is *unsupported*: it is never
looked up elsewhere in its place. One ``ChainClient`` per process (``client_for``).
"""

import asyncio
import importlib
import sys
import time
import weakref
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from walletdesk.chains.adapters.bitcoin import BitcoinAdapter
from walletdesk.chains.adapters.solana import SolanaAdapter
from walletdesk.chains.adapters.tron import TronAdapter
from walletdesk.chains.detection import Candidates, Found, candidates
from walletdesk.chains.endpoints import Endpoint, Turns
from walletdesk.chains.networks import (
    BITCOIN,
    EVM,
    EVM_NETWORKS,
    NETWORKS,
    SOLANA,
    TRON,
    configured_chains,
    explorer_link,
)
from walletdesk.chains.results import (
    MALFORMED,
    NOT_FOUND,
    UNAVAILABLE,
    UNREACHABLE,
    UNSUPPORTED,
    ChainUnavailable,
    TransferStatus,
)
from walletdesk.chains.tokens import known_tokens
from walletdesk.config import Settings

CACHE_SIZE = 5000
EVM_MODULE = "walletdesk.chains.adapters.evm"  # imports web3: a second of CPU
log = structlog.get_logger(__name__)


class Adapter(Protocol):
    chain: str

    async def look_up(self, tx: str, *, native: bool = False) -> TransferStatus:
        """``native``: the customer's words name the chain's own coin (decision 0053; only
        the TRON adapter asks differently for it). A hint: the answer is the same."""
        ...

    async def close(self) -> None: ...


def make_adapter(chain: str, url: str, settings: Settings,
                 turns: Turns | None = None) -> Adapter:
    endpoint = Endpoint(url, timeout_s=settings.chain_timeout_s, retries=settings.chain_retries,
                        requests_per_s=settings.chain_requests_per_s, turns=turns,
                        chain=chain, vouched=tuple(settings.chain_plain_http_hosts))
    family = NETWORKS[chain].family
    # the tokens named by contract: the desk's list and the operator's (decision 0054)
    known = known_tokens(chain, settings.chain_known_tokens)
    if family == EVM:  # web3 takes a second to import: only a desk with an EVM endpoint pays
        from walletdesk.chains.adapters.evm import EvmAdapter

        return EvmAdapter(chain, endpoint, known)
    if family == BITCOIN:
        return BitcoinAdapter(chain, endpoint)
    if family == TRON:
        return TronAdapter(chain, endpoint, frozenset(memo_exchanges(chain, settings)), known)
    if family == SOLANA:
        return SolanaAdapter(chain, endpoint, known)
    raise ValueError(chain)


def memo_exchanges(chain: str, settings: Settings) -> dict[str, str]:
    """The deposit addresses on ``chain`` that need a memo (WALLETDESK_CHAIN_MEMO_ADDRESSES)
    and their exchange's name, by address as ``address_key`` writes it (the first entry for an
    address counts). Read by ``walletdesk.chains.actions.memo_missing`` and the TRON adapter,
    which reads a token transfer to one of them from the transaction too, for its memo
    (decision 0052)."""
    exchanges: dict[str, str] = {}
    for entry in settings.chain_memo_addresses:
        if entry.get("chain", chain) in (chain, ""):
            exchanges.setdefault(address_key(str(entry.get("address", ""))),
                                 str(entry.get("name") or "the exchange"))
    return exchanges


def address_key(address: str) -> str:
    """An address as compared: EVM's hex in lower case, others (case matters) as written."""
    return address.lower() if address.startswith("0x") else address


class ChainClient:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        turns = Turns()  # a burst of lookups goes out in turns of the event loop
        self.adapters: dict[str, Adapter] = {
            chain: make_adapter(chain, url, settings, turns)
            for chain, url in configured_chains(settings.chain_endpoints).items()}
        self._cache: dict[tuple[str, str], tuple[float, TransferStatus]] = {}
        self._in_flight: dict[tuple[str, str], asyncio.Future[TransferStatus]] = {}

    def supports(self, chain: str) -> bool:
        return chain in self.adapters

    async def close(self) -> None:
        for adapter in self.adapters.values():
            await adapter.close()

    async def look_up(self, chain: str, tx: str, *, fresh: bool = False,
                      native: bool = False) -> TransferStatus:
        """The transaction on one chain; never raises for what the endpoint did (status
        ``unavailable`` with the reason) nor for a chain without an endpoint (``unsupported``).
        ``native``: the words name the native coin, a hint for how to ask (decision 0053): the
        cache and the lookup under way are shared whatever the hint (the answer is the same)."""
        if NETWORKS.get(chain) and NETWORKS[chain].family == EVM:
            tx = tx if tx.startswith("0x") else "0x" + tx
        elif len(tx) == 66 and tx.startswith("0x"):  # a TRON or Bitcoin id written with 0x
            tx = tx[2:]
        key = (chain, tx)
        cached = self._cache.get(key)
        if cached is not None and not fresh and cached[0] > time.monotonic():
            return cached[1]
        running = self._in_flight.get(key)
        if running is not None:  # the same hash asked twice at once: one request
            return await asyncio.shield(running)
        future: asyncio.Future[TransferStatus] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            result = await self._fetch(chain, tx, native)
            future.set_result(result)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: a waiter-less failure is not logged as lost
            raise
        finally:
            del self._in_flight[key]
        result.explorer_url = explorer_link(chain, tx, self.settings.chain_explorers)
        if result.status != UNAVAILABLE and self.settings.chain_cache_ttl_s > 0:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = (time.monotonic() + self.settings.chain_cache_ttl_s, result)
        return result

    async def _fetch(self, chain: str, tx: str, native: bool) -> TransferStatus:
        adapter = self.adapters.get(chain)
        if adapter is None:
            return TransferStatus(chain, tx, UNSUPPORTED)
        try:
            return await adapter.look_up(tx, native=native)
        except ChainUnavailable as exc:
            return TransferStatus(chain, tx, UNAVAILABLE, error=exc.reason)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            # an answer not in the API's shape (read by the adapter after the request)
            return TransferStatus(chain, tx, UNAVAILABLE, error=MALFORMED)
        except Exception as exc:  # whatever else went wrong: a clear status, never a crash
            log.error("chain_lookup_error", chain=chain, error=type(exc).__name__)
            return TransferStatus(chain, tx, UNAVAILABLE, error=UNREACHABLE)


@dataclass
class Outcome:
    """A hash looked up where its format and the customer's words allow."""
    found: Found
    candidates: Candidates
    result: TransferStatus | None  # None: the network is ambiguous, the customer is asked
    named_elsewhere: str | None = None  # the network they named, when it is on another one

    @property
    def ask_network(self) -> bool:
        return self.result is None


async def look_up_found(client: ChainClient, found: Found, hints: list[str],
                        *, fresh: bool = False, native: bool = False) -> Outcome:
    """``native``: the words name the native coin (``Detection.asset``; decision 0053)."""
    choice = candidates(found, hints)
    configured = [c for c in choice.chains if client.supports(c)]
    if choice.claimed is not None and not choice.mismatch:
        result = await client.look_up(choice.claimed, found.value, fresh=fresh, native=native)
        if result.status != NOT_FOUND:
            return Outcome(found, choice, result)
        elsewhere = await _first_found(client, found.value,
                                       [c for c in configured if c != choice.claimed], fresh,
                                       native)
        if elsewhere is not None:  # sent on another network than the one they named
            return Outcome(found, choice, elsewhere, named_elsewhere=choice.claimed)
        return Outcome(found, choice, result)
    if not configured:
        chain = choice.claimed or (choice.chains[0] if len(choice.chains) == 1 else "")
        # asked which network only when naming one could find a chain the desk checks (a
        # bare hash on an EVM network); else unsupported, not a question about networks the
        # desk does not check
        if chain or not choice.ambiguous or not (
                EVM in found.families and any(client.supports(c) for c in EVM_NETWORKS)):
            return Outcome(found, choice, TransferStatus(chain, found.value, UNSUPPORTED))
        return Outcome(found, choice, None)
    results = await asyncio.gather(*(client.look_up(c, found.value, fresh=fresh, native=native)
                                     for c in configured))
    on_chain = [r for r in results if r.status not in (NOT_FOUND, UNAVAILABLE)]
    if on_chain:  # the claimed network's first where it holds it (a 0x TRON id)
        return Outcome(found, choice, on_chain[0], named_elsewhere=choice.claimed
                       if choice.mismatch and on_chain[0].chain != choice.claimed else None)
    unavailable = [r for r in results if r.status == UNAVAILABLE]
    if unavailable:
        return Outcome(found, choice, unavailable[0])
    if choice.ambiguous:
        return Outcome(found, choice, None)
    return Outcome(found, choice, results[0] if choice.mismatch is False else
                   TransferStatus(choice.claimed or configured[0], found.value, NOT_FOUND))


async def _first_found(client: ChainClient, tx: str, chains: list[str],
                       fresh: bool, native: bool) -> TransferStatus | None:
    if not chains:
        return None
    results = await asyncio.gather(*(client.look_up(c, tx, fresh=fresh, native=native)
                                     for c in chains))
    return next((r for r in results if r.status not in (NOT_FOUND, UNAVAILABLE)), None)


_clients: "weakref.WeakKeyDictionary[Any, ChainClient]" = weakref.WeakKeyDictionary()


def client_for(services: Any) -> ChainClient:
    """The process's chain client for these services (made at first use; in the event loop,
    ``ready_client``)."""
    client = _clients.get(services)
    if client is None:
        client = _clients[services] = ChainClient(services.settings)
    return client


async def ready_client(services: Any) -> ChainClient:
    """``client_for``, with web3 imported in a worker thread the first time: imported in the
    event loop it held the loop for 0.8 s (no socket, timer or other task of the process ran)
    at the first EVM lookup; in a thread the loop runs on (its longest wait: 22 ms)."""
    if services not in _clients and EVM_MODULE not in sys.modules and any(
            NETWORKS[chain].family == EVM
            for chain in configured_chains(services.settings.chain_endpoints)):
        await asyncio.to_thread(importlib.import_module, EVM_MODULE)
    return client_for(services)


async def close_client(services: Any) -> None:
    """The chain client's connections closed (at shutdown, after
    walletdesk.chains.listeners.stop_lookups dropped the lookups under way)."""
    client = _clients.pop(services, None)
    if client is not None:
        await client.close()
