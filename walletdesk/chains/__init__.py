"""Transfers by hash: find transaction hashes and addresses in a customer's message, look them
up on the chain through the operator's endpoints (EVM JSON-RPC via web3.py, Esplora for
Bitcoin, TronGrid for TRON, Solana JSON-RPC), answer the customer and show the agent
(docs/chains.md)."""
