"""Staffing and peaks: forecasts of contacts, agents needed (Erlang C), the shift roster,
and what a customer chooses when the queue overflows (docs/operate.md, "Peaks")."""
