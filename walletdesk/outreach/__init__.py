"""Proactive messages: segments, campaigns (messages, safety tips, periodic surveys), the
rules every send obeys (opt-out, frequency cap, quiet hours) and their figures."""
