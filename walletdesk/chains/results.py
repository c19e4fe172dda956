"""What a lookup found, in one shape for every chain (stored as JSON on the lookup row)."""

from dataclasses import asdict, dataclass, fields
from typing import Any

# what the chain says about the transfer
NOT_FOUND, PENDING, CONFIRMED, FAILED = "not_found", "pending", "confirmed", "failed"
# what the desk could not do: no endpoint for the chain, or the endpoint did not answer well
UNSUPPORTED, UNAVAILABLE = "unsupported", "unavailable"
STATUSES = (NOT_FOUND, PENDING, CONFIRMED, FAILED, UNSUPPORTED, UNAVAILABLE)
# why an endpoint gave no answer
TIMEOUT, RATE_LIMITED, MALFORMED, UNREACHABLE = "timeout", "rate_limited", "malformed", "unreachable"
# why a transfer failed
REVERTED, OUT_OF_GAS, OUT_OF_ENERGY, OUT_OF_BANDWIDTH = (
    "reverted", "out_of_gas", "out_of_energy", "out_of_bandwidth")


class ChainUnavailable(Exception):  # noqa: N818 - a state, as the desk names it
    """The endpoint gave no usable answer (after its retries): ``reason`` is one of
    timeout, rate_limited, malformed, unreachable."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class TransferStatus:
    chain: str
    tx: str
    status: str
    confirmations: int | None = None
    block: int | None = None
    amount: str | None = None  # a decimal string in the asset's units ("12.5")
    # the asset's symbol (USDT, ETH …) when known: the native coin, or a token contract the
    # desk knows (walletdesk.chains.tokens) — never what a contract says of itself
    token: str | None = None
    token_contract: str | None = None
    # a token contract the desk does not know (decision 0054): its amount is read, but not its
    # name: the symbol it declares is only ``claimed_token``, and ``imitated_token`` the known
    # token (or coin) that symbol matches — a fake "USDT" at another address
    unverified_token: bool = False
    claimed_token: str | None = None
    imitated_token: str | None = None
    sender: str | None = None
    recipient: str | None = None
    fee_offered_gwei: str | None = None  # pending EVM transfers: the fee cap offered …
    base_fee_gwei: str | None = None  # … against the chain's current base fee
    failure: str | None = None  # reverted | out_of_gas | out_of_energy | out_of_bandwidth | …
    memo: str | None = None  # the memo/tag the transfer carried, where the chain has one
    error: str | None = None  # why an endpoint gave no answer (status unavailable)
    explorer_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Without the empty fields (None, a False flag): a stored row holds what was found,
        and rows stored before a field existed read the same (``from_json``: its default)."""
        return {k: v for k, v in asdict(self).items() if v is not None and v is not False}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TransferStatus":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def underpriced(self) -> bool:
        """A pending EVM transfer whose fee cap is below the current base fee: it waits
        until fees fall, or is sped up or cancelled."""
        if self.fee_offered_gwei is None or self.base_fee_gwei is None:
            return False
        return float(self.fee_offered_gwei) < float(self.base_fee_gwei)


def units(value: int, decimals: int) -> str:
    """An integer amount in base units as a plain decimal string (no exponent, no float)."""
    sign = "-" if value < 0 else ""
    whole, fraction = divmod(abs(value), 10 ** decimals) if decimals else (abs(value), 0)
    text = f"{whole}.{fraction:0{decimals}d}".rstrip("0").rstrip(".") if decimals else str(whole)
    return sign + text
