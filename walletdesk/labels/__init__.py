"""Labels on conversations: admin-defined, coloured, added by agents and by category rules."""
