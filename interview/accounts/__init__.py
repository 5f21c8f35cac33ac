"""HR accounts: organizations, users, passwords and signed tokens."""
