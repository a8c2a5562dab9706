"""Search. For now a plain database search over published tips, practice areas and the National Standards;
full-text search with Whoosh and PostgreSQL backends replaces it (issue 4)."""
