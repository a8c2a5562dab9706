"""Checks on raw text shared by forms, requests and content files."""
from __future__ import annotations

import re

# NUL and the other C0 controls (except tab, new line and carriage return), and lone
# surrogates: no field may hold them, and PostgreSQL cannot store NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def has_control_characters(value: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(value))
