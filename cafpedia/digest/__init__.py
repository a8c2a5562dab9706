"""The quarterly research digest: issues and their items, composed by the research coordinator."""
