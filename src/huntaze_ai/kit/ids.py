"""Row ids as requests may carry them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

# Ids are 32-bit integer columns: a bigger number can name no row, and PostgreSQL would reject it
# as a parameter (a 500) rather than find nothing.
MAX_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
