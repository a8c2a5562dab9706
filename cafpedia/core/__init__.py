"""Shared pieces with no routes of their own: permissions, audit log, errors, Markdown, time."""
