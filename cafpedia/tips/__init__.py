"""Practice tips and guidance: revisions, moderation by area, history, reviews, archiving."""
