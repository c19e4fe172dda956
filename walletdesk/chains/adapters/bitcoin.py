"""Bitcoin through an Esplora-style REST API (Blockstream's esplora, mempool.space):
``GET /tx/:txid`` (404: not found), its ``status`` (confirmed, block_height) and
``GET /blocks/tip/height`` for the confirmations."""

from typing import Any

from walletdesk.chains.endpoints import Endpoint, SharedHead
from walletdesk.chains.results import CONFIRMED, NOT_FOUND, PENDING, TransferStatus, units

NATIVE = "BTC"


class BitcoinAdapter:
    def __init__(self, chain: str, endpoint: Endpoint) -> None:
        self.chain = chain
        self.endpoint = endpoint
        self.tip: SharedHead[str | None] = SharedHead(
            lambda: self.endpoint.get_text("/blocks/tip/height"))

    async def close(self) -> None:
        await self.tip.close()
        await self.endpoint.close()

    async def look_up(self, tx: str, to_address: str | None = None, *,
                      native: bool = False) -> TransferStatus:
        # native: TRON's hint (decision 0053); a Bitcoin lookup is one request anyway
        self.tip.prefetch()  # beside the transaction, not after it
        data: Any = await self.endpoint.get_json(f"/tx/{tx}")
        if data is None:
            return TransferStatus(self.chain, tx, NOT_FOUND)
        status = data["status"]
        result = TransferStatus(self.chain, tx, PENDING, token=NATIVE)
        inputs = [i.get("prevout") or {} for i in data.get("vin", [])]
        senders = [i.get("scriptpubkey_address") for i in inputs if i.get("scriptpubkey_address")]
        result.sender = senders[0] if senders else None
        outputs = data.get("vout", [])
        for output in outputs:
            if output.get("scriptpubkey_type") == "op_return":
                result.memo = str(output.get("scriptpubkey", ""))[4:] or None
        paid = [o for o in outputs if o.get("scriptpubkey_address")
                and o["scriptpubkey_address"] not in senders]  # not the change
        chosen = next((o for o in outputs if to_address
                       and o.get("scriptpubkey_address") == to_address), None) or \
            (paid[0] if paid else None)
        if chosen is not None:
            result.recipient = chosen["scriptpubkey_address"]
            result.amount = units(int(chosen["value"]), 8)
        if status.get("confirmed"):
            tip = await self.tip.get()
            result.status = CONFIRMED
            result.block = int(status["block_height"])
            result.confirmations = max(0, int(str(tip).strip()) - result.block + 1)
        return result
