"""Benchmarks that exercise a running desk from the outside (CLI: `walletdesk bench`)."""
