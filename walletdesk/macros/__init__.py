"""Canned replies (macros): personal, per team or for everyone, in several languages."""
