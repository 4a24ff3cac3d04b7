"""The creator platforms Huntaze AI knows, as API values and as people write them."""

from __future__ import annotations

from typing import Literal, get_args

Platform = Literal["onlyfans", "fansly", "instagram", "tiktok", "x"]

PLATFORM_NAMES: dict[str, str] = {
    "onlyfans": "OnlyFans",
    "fansly": "Fansly",
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "x": "X",
}
assert tuple(PLATFORM_NAMES) == get_args(Platform)
# What a request that names no platform is about (the origin app's first platform).
DEFAULT_PLATFORM: Platform = "onlyfans"
