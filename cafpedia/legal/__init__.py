"""The legal-update feed: briefings on legislation, case law and guidance, and the tips they affect."""
