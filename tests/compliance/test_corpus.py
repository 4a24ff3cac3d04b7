"""The guard measured on hand-written labelled drafts (corpus/drafts.txt and corpus/holdout.txt):
violations of every category, plain and disguised, and clean drafts full of trigger-like words.
`python -m tests.compliance.corpus.evaluate` prints the per-category table in docs/compliance.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from huntaze_ai.compliance.rules import load_pack
from tests.compliance.corpus.evaluate import CORPUS, Case, Report, evaluate, load

HOLDOUT = CORPUS.with_name("holdout.txt")
NAMED = {
    "contact", "other_platforms", "payments", "meetups", "minors", "prohibited_themes", "links",
    "refunds", "legal", "police", "self_harm",
}  # fmt: skip


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load(CORPUS) + load(HOLDOUT)


@pytest.fixture(scope="module")
def report(cases: list[Case]) -> Report:
    return evaluate(cases)


def test_the_corpus_is_large_and_covers_every_category_plain_and_disguised(
    cases: list[Case],
) -> None:
    assert len(cases) >= 300
    assert sum(c.category == "clean" for c in cases) >= 150
    for category in NAMED:
        forms = {c.form for c in cases if c.category == category}
        assert {"p", "d"} <= forms or {"f", "d"} <= forms, category
    escalations = {r.category for r in load_pack().rules if r.verdict == "escalate"}
    assert {c.category for c in cases if c.form == "f"} == escalations


def test_recall_is_at_least_99_percent_on_the_named_categories(report: Report) -> None:
    missed = [f"{c.category}: {c.text}" for t in report.by_category.values() for c in t.missed]
    assert set(report.by_category) >= NAMED
    assert report.recall >= 0.99, missed
    for name, tally in report.by_category.items():
        assert tally.recall >= 0.95, (name, [c.text for c in tally.missed])


def test_at_most_1_percent_of_clean_drafts_are_blocked(report: Report) -> None:
    blocked = [(c.text, [r.rule for r in res.reasons]) for c, res in report.false_blocks]
    assert report.false_block_rate <= 0.01, blocked


def test_corpus_lines_parse_or_fail_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("## contact\np| fine\nx| what is x\n", "utf-8")
    with pytest.raises(ValueError, match=r"bad\.txt:3"):
        load(bad)
