"""The append-only, hash-chained audit log of every staff and admin action."""
