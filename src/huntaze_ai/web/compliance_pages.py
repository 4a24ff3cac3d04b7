"""The safety pages: the creator's word list (add, import a text file, delete), the platform's
rules, and the violation log. Forms carry the CSRF token and call the same services as
/api/compliance/*; another creator's word is a 404 here too."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies.access import overseen
from huntaze_ai.auth.dependencies import PageActing, PageCreator
from huntaze_ai.compliance import violations, words
from huntaze_ai.compliance.matching import RuleVerdict
from huntaze_ai.compliance.rules import CATEGORIES, load_pack
from huntaze_ai.kit.errors import HuntazeError, InvalidRequest
from huntaze_ai.kit.platforms import Platform
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.models import User
from huntaze_ai.users.repository import display_names
from huntaze_ai.web.forms import CsrfChecked
from huntaze_ai.web.rendering import PLATFORMS, PageError, page

router = APIRouter(include_in_schema=False)

MAX_ID = 2**31 - 1
MAX_FILE_BYTES = 200_000
VERDICT_LABELS = {"block": "Block (never send)", "escalate": "Escalate (a person answers)"}
# Notices travel in the redirect's query string as codes, never as text a link could inject.
_NOTICES = {
    "added": "Phrase added: the next draft and check use it.",
    "deleted": "Phrase removed.",
    "imported": "Imported {n} phrase(s); {skipped} already on the list.",
}
_DAYS = (7, 30, 90, 365)


def _verdict(value: str) -> RuleVerdict:
    if value not in VERDICT_LABELS:
        raise InvalidRequest("Choose block or escalate", fields=[{"field": "verdict"}])
    return cast(RuleVerdict, value)


def _notice(code: str | None, n: int, skipped: int) -> str | None:
    template = _NOTICES.get(code or "")
    return template.format(n=n, skipped=skipped) if template else None


async def _words_page(
    request: Request,
    creator: User,
    session: AsyncSession,
    *,
    platform: str | None = None,
    error: PageError | None = None,
    notice: str | None = None,
    phrase: str = "",
) -> Response:
    pack = load_pack(platform)
    by_category: dict[str, list[object]] = {}
    for rule in pack.rules:
        by_category.setdefault(rule.category, []).append(rule)
    return await page(
        request,
        "compliance_words.html",
        creator,
        session,
        words=await words.list_words(session, creator.id),
        max_words=words.MAX_WORDS,
        max_chars=words.MAX_PHRASE_CHARS,
        verdicts=VERDICT_LABELS,
        pack=pack,
        rules_by_category=by_category,
        categories=CATEGORIES,
        platforms=PLATFORMS,
        error=error,
        notice=notice,
        phrase=phrase,
    )


@router.get("/compliance", response_class=HTMLResponse)
async def word_list(
    request: Request,
    creator: PageCreator,
    session: SessionDep,
    platform: Platform | None = None,
    notice: str | None = None,
    n: Annotated[int, Query(ge=0, le=10_000)] = 0,
    skipped: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Response:
    return await _words_page(
        request, creator, session, platform=platform, notice=_notice(notice, n, skipped)
    )


@router.post("/compliance/words", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def add_word(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    phrase: Annotated[str, Form()] = "",
    verdict: Annotated[str, Form()] = "block",
) -> Response:
    creator = acting.creator
    try:
        await words.add_word(session, creator, acting.member, phrase, _verdict(verdict))
    except HuntazeError as exc:
        error = PageError.from_error(exc)
        return await _words_page(request, creator, session, error=error, phrase=phrase)
    return RedirectResponse("/compliance?notice=added", status_code=303)


@router.post("/compliance/words/import", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def import_words(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    file: Annotated[UploadFile | None, File()] = None,
    verdict: Annotated[str, Form()] = "block",
) -> Response:
    creator = acting.creator
    try:
        if file is None or not file.filename:
            raise InvalidRequest("Choose a text file to import", fields=[{"field": "file"}])
        raw = await file.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise InvalidRequest(f"The file is over {MAX_FILE_BYTES // 1000} kB")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidRequest("The file is not UTF-8 text") from None
        result = await words.import_words(session, creator, acting.member, text, _verdict(verdict))
    except HuntazeError as exc:
        return await _words_page(request, creator, session, error=PageError.from_error(exc))
    added, skipped = len(result.added), result.skipped
    return RedirectResponse(
        f"/compliance?notice=imported&n={added}&skipped={skipped}", status_code=303
    )


@router.post(
    "/compliance/words/{word_id}/delete", response_class=HTMLResponse, dependencies=[CsrfChecked]
)
async def delete_word(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    word_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    creator = acting.creator
    try:
        await words.delete_word(session, overseen(acting, words.WordsOverseen).creator.id, word_id)
    except HuntazeError as exc:
        return await _words_page(request, creator, session, error=PageError.from_error(exc))
    return RedirectResponse("/compliance?notice=deleted", status_code=303)


@router.get("/compliance/violations", response_class=HTMLResponse)
async def violation_log(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    days: Annotated[int, Query(ge=1, le=violations.MAX_DAYS)] = 30,
) -> Response:
    creator = acting.creator
    report = await violations.report(session, creator.id, days, limit=200)
    top = max((c.count for c in report.counts), default=0)
    actors = {v.actor_id for v in report.violations if v.actor_id is not None}
    return await page(
        request,
        "compliance_violations.html",
        creator,
        session,
        viewer_id=acting.member.id,
        # Who asked for each check, as the team knows them (the viewer is "you").
        names=await display_names(session, actors),
        report=report,
        days=days,
        day_choices=_DAYS,
        top=top,
        categories=CATEGORIES,
    )
