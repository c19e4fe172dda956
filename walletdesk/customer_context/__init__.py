"""The customer's context beside a conversation: what the operator's backend says about a
verified customer (account level, points, recent transactions …) and what the widget reports
about their device and app (docs/configure.md, "The customer's context")."""
