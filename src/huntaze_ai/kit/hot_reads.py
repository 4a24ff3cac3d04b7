"""Several reads of one request sent as one statement.

A fan reply reads the fan, the creator's account, the fan's conversation and notes and the
creator's recent approved replies before its model call. Sent one by one that is five round
trips, each costing the driver, SQLAlchemy and the event loop a wake-up whatever the rows
(issue 16; docs/benchmarks.md). `HotReads` sends the parts as one UNION ALL: every part's rows
are padded to one wide row with typed NULLs, tagged with the part and numbered in the part's
own order, and split back into each part's named rows. Each part keeps its own ORDER BY and
LIMIT, and the domain that owns a statement keeps writing it.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Integer, Select, cast, func, literal_column, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.visitors import replacement_traverse

from huntaze_ai.kit.db import DriverForm, HotStatement

__all__ = ["HotReads"]

_PART, _ORDER = "_part", "_ord"


class HotReads(HotStatement):
    """`parts`, read in one statement. `derived` replaces each bind parameter of that name in
    the parts by an SQL expression: a value the statement finds for itself (the platform of a
    fan the request names without one) instead of a read before it."""

    def __init__(
        self,
        parts: Mapping[str, Select[*tuple[Any, ...]]],
        derived: Mapping[str, ColumnElement[Any]] | None = None,
    ) -> None:
        numbered = []
        for index, part in enumerate(parts.values()):
            part = _derive(part, derived or {})
            order = list(part._order_by_clauses) or None
            rank = func.row_number().over(order_by=order).label(_ORDER)
            numbered.append(part.add_columns(rank).subquery(f"_p{index}"))
        slots = [(i, c) for i, sub in enumerate(numbered) for c in sub.c if c.key != _ORDER]
        branches = []
        for index, sub in enumerate(numbered):
            padded = [
                (column if owner == index else cast(null(), column.type)).label(f"_{slot}")
                for slot, (owner, column) in enumerate(slots)
            ]
            tag = literal_column(str(index), Integer).label(_PART)
            branches.append(select(tag, sub.c[_ORDER], *padded).select_from(sub))
        super().__init__(union_all(*branches).order_by(_PART, _ORDER))
        self.names = tuple(parts)
        # Where each part's columns sit in the wide row, and its rows' shape.
        self._spans: list[tuple[int, int, Callable[..., Any]]] = []
        start = 2
        for sub in numbered:
            keys = [c.key for c in sub.c if c.key != _ORDER]
            row = namedtuple("row", keys, rename=True)  # type: ignore[misc]
            self._spans.append((start, start + len(keys), row._make))
            start += len(keys)
        self._processors: list[tuple[Callable[[Any], Any] | None, ...]] | None = None

    async def read(self, session: AsyncSession, params: Mapping[str, Any]) -> dict[str, list[Any]]:
        """Each part's rows, by name, in the part's order (none: an empty list)."""
        parts: dict[str, list[Any]] = {name: [] for name in self.names}
        for index, row in await self.rows_in(session, params):
            parts[self.names[index]].append(row)
        return parts

    def _made(self, rows: list[Any]) -> list[Any]:
        return [self._split(r, None) for r in rows]

    def _shaped(self, form: DriverForm, records: list[Any]) -> list[Any]:
        if self._processors is None:
            self._processors = [form.results[start:end] for start, end, _ in self._spans]
        processors = self._processors
        return [self._split(r, processors[r[0]]) for r in records]

    def _split(
        self, record: Any, processors: tuple[Callable[[Any], Any] | None, ...] | None
    ) -> tuple[int, Any]:
        """(part, its row) from a wide row."""
        part = record[0]
        start, end, make = self._spans[part]
        values = record[start:end]
        if processors is not None and any(processors):
            values = [v if p is None else p(v) for p, v in zip(processors, values, strict=True)]
        return part, make(values)


def _derive(part: Any, derived: Mapping[str, ColumnElement[Any]]) -> Any:
    def swap(element: Any, **_: Any) -> Any:
        if isinstance(element, BindParameter) and element.key in derived:
            return derived[element.key]
        return None

    return replacement_traverse(part, {}, swap) if derived else part
