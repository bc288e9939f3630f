"""Text as people type it and as spreadsheets read it: the invisible characters stripped from input, and the
texts a spreadsheet would take for a formula."""

from __future__ import annotations

import re

# Zero-width characters and the bidirectional controls (including the right-to-left override): they make
# two equal-looking names differ, or a file name ending "gpj.exe" read "exe.jpg". Nobody types them on purpose.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# What makes Excel, WPS or LibreOffice start a formula when a cell is entered or edited (OWASP CSV injection).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def strip_invisible(text: str) -> str:
    """`text` without zero-width and bidi-control characters."""
    return INVISIBLE.sub("", text)


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula once someone edits its cell."""
    return text.startswith(FORMULA_LEADS)
