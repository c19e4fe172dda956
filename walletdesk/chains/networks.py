"""The chains the desk knows: their families, native assets and explorer links."""

from dataclasses import dataclass

EVM, BITCOIN, TRON, SOLANA = "evm", "bitcoin", "tron", "solana"


@dataclass(frozen=True)
class Network:
    name: str  # the key of WALLETDESK_CHAIN_ENDPOINTS
    family: str  # evm | bitcoin | tron | solana
    label: str  # what a customer reads
    native: str  # the native asset's symbol
    decimals: int
    explorer: str  # a URL with {tx}


NETWORKS: dict[str, Network] = {n.name: n for n in (
    Network("ethereum", EVM, "Ethereum (ERC-20)", "ETH", 18, "https://etherscan.io/tx/{tx}"),
    Network("bsc", EVM, "BNB Smart Chain (BEP-20)", "BNB", 18, "https://bscscan.com/tx/{tx}"),
    Network("polygon", EVM, "Polygon", "POL", 18, "https://polygonscan.com/tx/{tx}"),
    Network("arbitrum", EVM, "Arbitrum One", "ETH", 18, "https://arbiscan.io/tx/{tx}"),
    Network("base", EVM, "Base", "ETH", 18, "https://basescan.org/tx/{tx}"),
    Network("optimism", EVM, "OP Mainnet", "ETH", 18, "https://optimistic.etherscan.io/tx/{tx}"),
    Network("bitcoin", BITCOIN, "Bitcoin", "BTC", 8, "https://mempool.space/tx/{tx}"),
    Network("tron", TRON, "TRON (TRC-20)", "TRX", 6, "https://tronscan.org/#/transaction/{tx}"),
    Network("solana", SOLANA, "Solana", "SOL", 9, "https://solscan.io/tx/{tx}"),
)}
EVM_NETWORKS = tuple(n.name for n in NETWORKS.values() if n.family == EVM)


def family_of(chain: str) -> str | None:
    network = NETWORKS.get(chain)
    return network.family if network else None


def configured_chains(endpoints: dict[str, str]) -> dict[str, str]:
    """The chains of WALLETDESK_CHAIN_ENDPOINTS the desk looks up: known, with a URL (any
    other is unsupported, never looked up elsewhere)."""
    return {chain: url for chain, url in endpoints.items() if chain in NETWORKS and url}


def label_of(chain: str, token: str | None = None) -> str:
    """The network as customers name it. For a transfer of the chain's own coin without the
    token standard ("TRON", not "TRON (TRC-20)", for 250 TRX): a native coin is not a token."""
    network = NETWORKS.get(chain)
    if network is None:
        return chain
    return network.label.split(" (")[0] if token == network.native else network.label


def explorer_link(chain: str, tx: str, templates: dict[str, str] | None = None) -> str | None:
    """The explorer page of a transaction: the operator's template for the chain if set
    (WALLETDESK_CHAIN_EXPLORERS), else the default; None for an unknown chain."""
    template = (templates or {}).get(chain) or (NETWORKS[chain].explorer
                                                if chain in NETWORKS else None)
    if not template or "{tx}" not in template:
        return None
    return template.replace("{tx}", tx)
