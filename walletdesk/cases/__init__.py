"""Cases that get finished: satisfaction surveys (and, to come, SLAs, complaints, follow-ups)."""
