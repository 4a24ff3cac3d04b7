"""Counts, row ids and fan ids as requests may carry them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from huntaze_ai.kit.text import refuse_invisible


def _refuse_bool(value: object) -> object:
    # pydantic's lax mode reads JSON true as 1: a client that sends a boolean where a number goes
    # has a bug that 1 would hide. Numeric strings ("5") stay numbers: the page forms send them.
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer, not a boolean")
    return value


# Every integer of a request body: a count, a cap, an id.
Count = Annotated[int, BeforeValidator(_refuse_bool)]

# Ids are 32-bit integer columns: a bigger number can name no row, and PostgreSQL would reject it
# as a parameter (a 500) rather than find nothing.
MAX_ID = 2**31 - 1
RowId = Annotated[Count, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]

# A fan's id on its platform (`fans.external_id`), in a body, a path or a query alike. It is shown
# in the inbox, on pages and in CSV exports, so it is held to the display rule (kit/text.py): a
# bidi override or a line break in it would disguise the fan or break the row.
FanId = Annotated[
    str, StringConstraints(min_length=1, max_length=255), AfterValidator(refuse_invisible)
]
