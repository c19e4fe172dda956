"""Complaints (投诉): a case attached to a conversation, moved through fixed stages with
each change timestamped, audited and — where the customer should know — told to them."""
