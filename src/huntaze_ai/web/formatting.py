"""How the pages write money, moments and feature names: one format each, owned here.

Templates use them as Jinja filters (`dollars`, `percent`, `when`, `duration`, `feature`;
`dollars_text`, `dollars_exact` and `when_text` where only text fits, as in an attribute or a
sentence).
static/app.js mirrors the money format (`usd`, `usdElement`) for what the browser draws itself,
and turns every `<time>` written here into the viewer's time zone.

- Money (kit/money.py's rule): whole cents from $1, or when cents are exact; four places below
  that, so a first call does not read $0.00 and a month's parts add up to its total;
  "<$0.0001" for a charge smaller still. The exact six-place amount the API returns is in the
  element's `title`.
- Shares of a quota (`percent`): two places everywhere, "<0.01%" for a spend too small to show.
- Moments: written in UTC ("Dec 1, 2026 00:00 UTC"), which is what a page without JavaScript
  shows; the script replaces the text with the viewer's local time and keeps UTC in the title.
- Waits: whole seconds, minutes, hours and minutes, or days and hours.
- Features: the usage rows' ids (`messaging`) read as the nav names the pages ("Messages").
- Platforms read as people write them (`platform`); a fan page's path is `fan_href`.
- The guard's reasons as sentences (`reasons_text`), on pages and in a refusal's message.
- Drafts closed by an approval of another draft of their fan message (`superseded_text`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from huntaze_ai.kit import money
from huntaze_ai.kit.money import usd_to_micros
from huntaze_ai.kit.platforms import PLATFORM_NAMES
from huntaze_ai.metering.kinds import FEATURE_NAMES, Feature

# Money's display rule is kit.money's, which the quota sentences (metering/wording.py) share.
dollars_text = money.dollars


def dollars_exact(usd: str | Decimal | int) -> str:
    """The amount to the micro-dollar, as the API and the ledger keep it: $0.020395."""
    micros = usd_to_micros(usd)
    sign, micros = ("-" if micros < 0 else ""), abs(micros)
    return f"{sign}${micros // 1_000_000:,}.{micros % 1_000_000:06d}"


def dollars(usd: str | Decimal | int) -> Markup:
    """The page's money element: the display amount, the exact one in its tooltip."""
    return Markup('<span class="money" title="{}">{}</span>').format(
        dollars_exact(usd), dollars_text(usd)
    )


def percent(share: Decimal, spent_usd: str | Decimal | int = 0) -> str:
    """A quota's share used, as the API's `percent_used` has it: 0.03%, 100.00%; "<0.01%" when
    something was spent but less than that shows (a page must not read 0 once a call is paid)."""
    if share == 0 and usd_to_micros(spent_usd) > 0:
        return "<0.01%"
    return f"{share:,.2f}%"


def _utc(moment: datetime) -> datetime:
    # The database hands back naive UTC on SQLite: a naive moment here is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def when_text(moment: datetime, seconds: bool = False) -> str:
    """Dec 1, 2026 00:00 UTC (with :ss when `seconds`)."""
    return _utc(moment).strftime(f"%b %-d, %Y %H:%M{':%S' if seconds else ''} UTC")


def when(moment: datetime, seconds: bool = False) -> Markup:
    """A <time> in UTC that static/app.js rewrites in the viewer's zone, UTC kept as its title."""
    utc = _utc(moment)
    text = when_text(utc, seconds)
    return Markup('<time datetime="{}" title="{}" data-local="{}">{}</time>').format(
        utc.strftime("%Y-%m-%dT%H:%M:%SZ"), text, "seconds" if seconds else "minutes", text
    )


def duration(seconds: float) -> str:
    """A wait as a person says it: 45 s, 12 min, 3 h 5 min, 2 d 4 h (rounded down)."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    hours, minutes = divmod(whole // 60, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


# The nav's names for what each agent serves; usage rows, charts and tables say these.
# One naming of the features for every page (metering owns it: its refusals name them too).
FEATURE_LABELS: dict[str, str] = {str(f): name for f, name in FEATURE_NAMES.items()}

# The header's links, in order. A feature's link is named by FEATURE_LABELS, so the nav and every
# page that names a feature agree.
NAV: tuple[tuple[str, str], ...] = (
    ("/dashboard", "Dashboard"),
    ("/messages", FEATURE_LABELS[Feature.MESSAGING]),
    ("/inbox", "Inbox"),
    ("/content/create", FEATURE_LABELS[Feature.CONTENT]),
    ("/analytics", FEATURE_LABELS[Feature.ANALYTICS]),
    ("/sales", FEATURE_LABELS[Feature.SALES]),
    ("/usage", "Usage"),
    ("/compliance", "Safety"),
    ("/webhooks", "Webhooks"),
)
# Links only the creator and the agency's owners and managers get (webhooks.service.may_read).
NAV_NOT_FOR_CHATTERS = frozenset({"/webhooks"})


def feature(feature_id: str) -> str:
    """ "Messages" for `messaging`; an id without a name (a feature added later) as it is."""
    return FEATURE_LABELS.get(feature_id, feature_id)


def platform(value: str) -> str:
    """A platform as people write it ("onlyfans" -> "OnlyFans")."""
    return PLATFORM_NAMES.get(value, value)


def fan_href(fan_id: str, platform: str | None = None, suffix: str = "") -> str:
    """The fan page's path, or one of its forms' (`suffix`): the id quoted whole (a "/" in a
    platform's id stays in it) and the platform (the same id on two platforms is two fans)."""
    path = "/fans/" + quote(fan_id, safe="") + suffix
    return f"{path}?platform={quote(platform, safe='')}" if platform else path


def reasons_text(reasons: Iterable[Any]) -> str:
    """The guard's reasons in words, as sentences one after another ("… cannot see. An @handle
    …", not joined with a semicolon): each `why`, else its bare detail given a full stop.
    Reasons are dicts (stored on a draft, in an error's details) or the guard's own objects.
    app.js's `reasonsText` says a streamed reply's reasons the same way."""
    said = []
    for reason in reasons:
        get = reason.get if isinstance(reason, Mapping) else partial(getattr, reason)
        text = str(get("why", None) or get("detail", None) or "").strip()
        if text:
            said.append(text if text[-1] in ".!?" else text + ".")
    return " ".join(said)


def superseded_text(closed: str | None) -> str:
    """What an approval's notice adds when it closed other drafts of the same fan message:
    `closed` is their count from the redirect's query string; anything but a count is none."""
    if closed is None or not (closed.isascii() and closed.isdigit()) or len(closed) > 4:
        return ""  # ASCII digits only ("²" is a digit to str.isdigit, not to int), and few
    n = int(closed)
    if n < 1:
        return ""
    drafts, were = ("draft", "was") if n == 1 else ("drafts", "were")
    return (
        f" {n} other {drafts} of the same fan message {were} closed as superseded:"
        " a message gets one reply."
    )
