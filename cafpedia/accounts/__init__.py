"""People: accounts, roles, signing in and out."""
