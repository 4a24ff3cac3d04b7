"""Row ids and fan ids as requests may carry them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, Field, StringConstraints

from huntaze_ai.kit.text import refuse_invisible

# Ids are 32-bit integer columns: a bigger number can name no row, and PostgreSQL would reject it
# as a parameter (a 500) rather than find nothing.
MAX_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]

# A fan's id on its platform (`fans.external_id`), in a body, a path or a query alike. It is shown
# in the inbox, on pages and in CSV exports, so it is held to the display rule (kit/text.py): a
# bidi override or a line break in it would disguise the fan or break the row.
FanId = Annotated[
    str, StringConstraints(min_length=1, max_length=255), AfterValidator(refuse_invisible)
]
