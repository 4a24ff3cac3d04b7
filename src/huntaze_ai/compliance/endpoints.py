"""The guard over HTTP: checking a hand-written message, the platform's rules, the creator's
word list and the violation log. Another creator's word is a 404 like a missing one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from huntaze_ai.agencies.access import overseen
from huntaze_ai.auth.dependencies import CurrentActing, CurrentCreator, ReaderCreator
from huntaze_ai.compliance import violations, words
from huntaze_ai.compliance.budget import CheckBudget
from huntaze_ai.compliance.guard import GuardDep
from huntaze_ai.compliance.offload import GuardProcess
from huntaze_ai.compliance.rules import load_pack
from huntaze_ai.compliance.schemas import (
    CheckRequest,
    CheckResponse,
    ImportOut,
    PpvRangeOut,
    RuleCountOut,
    RuleOut,
    RulePackOut,
    ViolationOut,
    ViolationsOut,
    WordIn,
    WordOut,
    WordsOut,
)
from huntaze_ai.kit.errors import API_ERRORS, InvalidRequest, error_responses
from huntaze_ai.kit.platforms import Platform
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.models import ComplianceWord

router = APIRouter(tags=["compliance"], responses=API_ERRORS)
MAX_ID = 2**31 - 1


def _word(word: ComplianceWord) -> WordOut:
    return WordOut.model_validate(word, from_attributes=True)


@router.post(
    "/api/ai/compliance/check", response_model=CheckResponse, responses=error_responses(429)
)
async def check(
    body: CheckRequest, creator: ReaderCreator, guard: GuardDep, request: Request
) -> CheckResponse:
    """The guard the messaging agent applies to drafts, for a message written by hand: the
    platform's rules and the creator's word list. No model call and no charge, but a budget per
    creator and hour (429 beyond it). A block or an escalation is recorded in the violation
    log."""
    budget: CheckBudget = request.app.state.check_budget
    process: GuardProcess = request.app.state.guard_process
    await budget.spend(creator.id)
    result = await guard.check_in(
        process, body.text, platform=body.platform, fan_message=body.fan_message
    )
    texts = {"message": body.text, "fan_message": body.fan_message or ""}
    await guard.log("check", result.reasons, texts, result.rules_version)
    return CheckResponse.of(result)


@router.get("/api/compliance/rules", response_model=RulePackOut)
async def rules(_: CurrentCreator, platform: Platform | None = None) -> RulePackOut:
    """The platform's rule pack (OnlyFans when not given): each rule's verdict, why, clause."""
    pack = load_pack(platform)
    return RulePackOut(
        platform=pack.platform,
        version=pack.version,
        max_length=pack.max_length,
        ppv=None
        if pack.ppv is None
        else PpvRangeOut(
            min_usd=str(pack.ppv.min_usd),
            max_usd=str(pack.ppv.max_usd),
            allow_free=pack.ppv.allow_free,
        ),
        rules=[
            RuleOut(id=r.id, category=r.category, verdict=r.verdict, why=r.why, clause=r.clause)
            for r in pack.rules
        ],
    )


@router.get("/api/compliance/words", response_model=WordsOut)
async def list_words(creator: CurrentCreator, session: SessionDep) -> WordsOut:
    """The creator's own list: phrases to block or to hand to a person."""
    return WordsOut(words=[_word(w) for w in await words.list_words(session, creator.id)])


@router.post(
    "/api/compliance/words",
    response_model=WordOut,
    status_code=201,
    responses=error_responses(409),
)
async def add_word(body: WordIn, acting: CurrentActing, session: SessionDep) -> WordOut:
    """Add a phrase (at most 200 characters). Its disguised spellings are caught too; the next
    check uses it. 409 when the list already has it."""
    added = await words.add_word(session, acting.creator, acting.member, body.phrase, body.verdict)
    return _word(added)


@router.post(
    "/api/compliance/words/import",
    response_model=ImportOut,
    status_code=201,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}}
    },
    responses=error_responses(409),
)
async def import_words(
    request: Request,
    acting: CurrentActing,
    session: SessionDep,
    verdict: Literal["block", "escalate"] = "block",
) -> ImportOut:
    """A plain text file, one phrase per line (blank lines and `#` comments skipped), all with
    `verdict`. A bad line is a 422 naming it (`line`), and nothing is saved; phrases already on
    the list are skipped."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRequest("The file is not UTF-8 text", fields=[{"field": "body"}]) from None
    result = await words.import_words(session, acting.creator, acting.member, text, verdict)
    return ImportOut(added=[_word(w) for w in result.added], skipped=result.skipped)


@router.delete("/api/compliance/words/{word_id}", status_code=204, responses=error_responses(404))
async def delete_word(
    word_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    acting: CurrentActing,
    session: SessionDep,
) -> None:
    """Remove a phrase; another creator's phrase is a 404. The creator and the agency's owners
    and managers: a chatter adds phrases but cannot take one off (404)."""
    creator_id = overseen(acting, words.WordsOverseen).creator.id
    await words.delete_word(session, creator_id, word_id)


@router.get("/api/compliance/violations", response_model=ViolationsOut)
async def list_violations(
    creator: CurrentCreator,
    session: SessionDep,
    days: Annotated[int, Query(ge=1, le=violations.MAX_DAYS)] = 30,
    limit: Annotated[int, Query(ge=1, le=violations.MAX_LIMIT)] = 100,
) -> ViolationsOut:
    """Blocks and escalations of the last `days` days: counts by rule, and the latest `limit`
    entries with who asked and a redacted excerpt."""
    report = await violations.report(session, creator.id, days, limit)
    return ViolationsOut(
        since=report.since,
        total=report.total,
        counts=[RuleCountOut(**vars(c)) for c in report.counts],
        violations=[
            ViolationOut.model_validate(v, from_attributes=True) for v in report.violations
        ],
    )
