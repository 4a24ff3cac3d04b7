"""CSV for people who open it in a spreadsheet: a text cell that starts like a formula (= + - @,
or a tab or carriage return before one) would run as one there, so it is written with a leading
apostrophe, which spreadsheets show as text (OWASP's advice on CSV injection). Numbers are left
alone: only text can carry a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
