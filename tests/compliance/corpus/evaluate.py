"""Run the guard over the labelled corpus (drafts.txt) and measure it per category.

    .venv/bin/python -m tests.compliance.corpus.evaluate     # prints the markdown table

Recall of a category: the share of its violations whose result names that category. Precision:
the share of the texts the guard flags with a category that are violations (a clean text flagged
is a false positive; a violation of another category flagged too, e.g. "add me on WhatsApp" is
both a contact request and a messenger, is counted as a co-finding, not an error). False blocks:
clean drafts whose verdict is not `ok` (blocked or escalated: either way not sendable).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from huntaze_ai.compliance.service import ComplianceResult, check_message

CORPUS = Path(__file__).with_name("drafts.txt")
HARMLESS_DRAFT = "Thank you for your message 💕 I'll get back to you very soon"


@dataclass(frozen=True)
class Case:
    category: str  # "clean" for clean drafts
    form: str  # p plain, d disguised, f fan message, c clean
    text: str
    platform: str
    line: int


def load(path: Path = CORPUS) -> list[Case]:
    cases: list[Case] = []
    category, platform = "", "onlyfans"
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("##")):
            continue
        if line.startswith("## "):
            name, _, where = line[3:].partition("@")
            category, platform = name.strip(), (where.strip() or "onlyfans")
            continue
        form, sep, text = line.partition("|")
        if not sep or form not in "pdfc" or not text.strip():
            raise ValueError(f"{path.name}:{number}: expected '<p|d|f|c>| text', got {raw!r}")
        cases.append(Case(category, form, text.strip(), platform, number))
    return cases


def run(case: Case) -> ComplianceResult:
    if case.form == "f":
        return check_message(HARMLESS_DRAFT, platform=case.platform, fan_message=case.text)
    return check_message(case.text, platform=case.platform)


def caught(case: Case, result: ComplianceResult) -> bool:
    where = "fan_message" if case.form == "f" else "message"
    return any(r.category == case.category and r.where == where for r in result.reasons)


@dataclass
class Tally:
    total: int = 0
    caught: int = 0
    flagged: int = 0  # texts the guard flagged with this category
    flagged_clean: int = 0
    missed: list[Case] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.total if self.total else 1.0

    @property
    def precision(self) -> float:
        return 1 - self.flagged_clean / self.flagged if self.flagged else 1.0


@dataclass
class Report:
    by_category: dict[str, Tally]
    clean: int
    false_blocks: list[tuple[Case, ComplianceResult]]
    by_form: dict[str, Tally]

    @property
    def violations(self) -> int:
        return sum(t.total for t in self.by_category.values())

    @property
    def recall(self) -> float:
        return sum(t.caught for t in self.by_category.values()) / self.violations

    @property
    def false_block_rate(self) -> float:
        return len(self.false_blocks) / self.clean


def evaluate(cases: list[Case]) -> Report:
    by_category: dict[str, Tally] = defaultdict(Tally)
    by_form: dict[str, Tally] = defaultdict(Tally)
    false_blocks: list[tuple[Case, ComplianceResult]] = []
    clean = 0
    for case in cases:
        result = run(case)
        for category in {r.category for r in result.reasons}:
            by_category[category].flagged += 1
            by_category[category].flagged_clean += case.category == "clean"
        if case.category == "clean":
            clean += 1
            if not result.sendable:
                false_blocks.append((case, result))
            continue
        hit = caught(case, result)
        for tally in (by_category[case.category], by_form[case.form]):
            tally.total += 1
            tally.caught += hit
            if not hit:
                tally.missed.append(case)
    named = {k: v for k, v in by_category.items() if v.total}
    return Report(named, clean, false_blocks, dict(by_form))


def markdown(report: Report) -> str:
    lines = [
        "| category | violations | caught | recall | precision |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, t in sorted(report.by_category.items()):
        lines.append(f"| {name} | {t.total} | {t.caught} | {t.recall:.1%} | {t.precision:.1%} |")
    lines.append(
        f"| **all** | {report.violations} | "
        f"{sum(t.caught for t in report.by_category.values())} | {report.recall:.1%} | |"
    )
    forms = {"p": "plain", "d": "disguised", "f": "in the fan's message"}
    lines.append("")
    for form, t in sorted(report.by_form.items()):
        lines.append(f"- {forms[form]}: {t.caught}/{t.total} caught ({t.recall:.1%})")
    lines.append(
        f"- clean drafts: {report.clean}, not sendable: {len(report.false_blocks)} "
        f"({report.false_block_rate:.1%})"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    report = evaluate(load())
    print(markdown(report))
    for name, tally in sorted(report.by_category.items()):
        for case in tally.missed:
            print(f"MISSED {name} line {case.line}: {case.text}")
    for case, result in report.false_blocks:
        rules = ", ".join(f"{r.rule} ({r.excerpt})" for r in result.reasons)
        print(f"FALSE BLOCK line {case.line} [{case.platform}]: {case.text} -> {rules}")
