"""One adapter per chain family; each turns its API's answers into a TransferStatus."""
