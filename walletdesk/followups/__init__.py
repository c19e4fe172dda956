"""Follow-up calls (回访): programmes create tasks; customers pick a slot; agents call."""
