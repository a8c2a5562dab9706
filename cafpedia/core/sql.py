"""Small query pieces shared by every domain's listings."""

from __future__ import annotations


def contains(column, text: str):
    """Case-insensitive 'column contains text', with % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
