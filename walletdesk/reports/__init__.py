"""Reports: the numbers a support lead runs the team by, and why customers contact us.

Read-only queries over the conversations, messages, bot turns, surveys and labels
(one module per report); definitions in docs/reports.md."""
