"""Email: an outbox table written in the same transaction as the change that causes a
message, and a sender that drains it after the commit (SMTP, or files in development)."""
