"""Text bound for a file a person opens: a spreadsheet cell, a PDF table, a chart label."""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL and C1, lone surrogates and U+FFFE/U+FFFF: XML 1.0
# (inside XLSX and SVG) refuses most of them, and a reader sees none. Word's Shift+Enter
# (U+000B) and a carriage return read as a line break.
_BREAKS = re.compile(r"\r\n?|\x0b|\x0c")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """text without control characters: line-break-like ones (U+000B, U+000C, CR) become a
    line feed, the others are removed; "Consulate\\x0bGeneral" -> "Consulate\\nGeneral"."""
    return _CONTROLS.sub("", _BREAKS.sub("\n", text))


def one_line(text: str) -> str:
    """clean_text on one line: breaks become spaces, runs of white space one space."""
    return " ".join(clean_text(text).split())
