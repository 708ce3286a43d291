"""The reach report's tables as CSV that Excel opens as it should: UTF-8 with a byte-order
mark, comma-separated with decimal points, or (the German Excel default) semicolon-
separated with decimal commas. Hidden cells say so in words, never as a number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

BOM = "\ufeff"


def number(value: Any, semicolon: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.2f}"
        return text.replace(".", ",") if semicolon else text
    return str(value)


FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def text(value: str) -> str:
    """A name as a cell; one a spreadsheet would read as a formula gets a leading
    apostrophe, also when spaces or line breaks come before the sign (spreadsheets skip
    them)."""
    return "'" + value if value.lstrip(" \t\r\n")[:1] in FORMULA or value[:1] in FORMULA \
        else value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], semicolon: bool) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";" if semicolon else ",", lineterminator="\r\n")
    writer.writerow([text(name) for name in header])
    for row in rows:
        writer.writerow([text(cell) if isinstance(cell, str) else number(cell, semicolon)
                         for cell in row])
    return out.getvalue()
