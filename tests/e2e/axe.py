"""axe-core in the browser tests: every page, in every state a test reaches, at a phone's and a
desktop's width; a serious or critical violation fails the test.

axe-core comes from the npm registry (package.json, package-lock.json) into node_modules/ through
`scripts/install --dev` (npm ci); nothing is downloaded while the tests run. The script is
evaluated in the page through the DevTools protocol, which the pages' Content-Security-Policy
(scripts from this site only) does not apply to, so the pages are checked under their real policy.

axe needs JavaScript (its timers never fire where a context turned it off): a page of such a
context is checked as a copy, its DOM without scripts served at the same address to a page that
runs axe, with the site's stylesheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
FAILING_IMPACTS = ("serious", "critical")

# Third-party pages the app serves as shipped (Swagger UI, ReDoc): not ours to fix, so not
# audited; tests/e2e/test_api_docs.py checks that they work offline.
NOT_AUDITED_PATHS = ("/docs", "/redoc")

_SCRIPT_ELEMENT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)

# axe reads computed styles, so the layout at the viewport's new width is what it checks.
_RUN = """async (impacts) => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({
        target: n.target.join(" "),
        html: n.html.slice(0, 240),
        summary: n.failureSummary || "",
      })),
    }));
}"""


def _describe(state: str, width: str, url: str, violation: dict[str, Any]) -> str:
    nodes = "\n".join(
        f"      {n['target']}: {n['html']}\n        {n['summary'].replace(chr(10), ' ')}"
        for n in violation["nodes"]
    )
    return (
        f"[{violation['impact']}] {violation['id']} ({violation['help']}) "
        f"on {url} at {width} width, {state}:\n{nodes}"
    )


@dataclass
class AxeAudit:
    """Runs axe on a page at both widths; `check` at each state a test reaches, and once more
    on every page still open when the test ends (its last state)."""

    source: str = field(repr=False)
    pages: list[Page] = field(default_factory=list)
    without_scripts: set[BrowserContext] = field(default_factory=set)
    runs: int = 0
    failed: bool = False

    def watch(self, context: BrowserContext, scripts: bool = True) -> None:
        context.on("page", self._track)
        if not scripts:
            self.without_scripts.add(context)

    def _track(self, page: Page) -> None:
        self.pages.append(page)

    def check(self, page: Page, state: str) -> None:
        """Fail now if this state has a serious or critical violation at either width."""
        found = self._violations(page, state)
        if found:
            self.failed = True
            pytest.fail("accessibility violations (axe-core):\n" + "\n".join(found), pytrace=False)

    def check_last_states(self) -> None:
        if self.failed:  # the test already failed on one
            return
        found = [
            violation
            for page in self.pages
            if not page.is_closed() and page.url.startswith("http")
            for violation in self._violations(page, "the state the test ended in")
        ]
        if found:
            pytest.fail("accessibility violations (axe-core):\n" + "\n".join(found), pytrace=False)

    def _violations(self, page: Page, state: str) -> list[str]:
        path = "/" + page.url.split("://", 1)[-1].partition("/")[2]
        if path.startswith(NOT_AUDITED_PATHS):
            return []
        if page.context in self.without_scripts:
            return self._violations_of_copy(page, state)
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.source)
        original = page.viewport_size
        found: list[str] = []
        try:
            for width, size in WIDTHS.items():
                page.set_viewport_size(size)
                violations = page.evaluate(_RUN, list(FAILING_IMPACTS))
                self.runs += 1
                found += [_describe(state, width, page.url, v) for v in violations]
        finally:
            if original is not None:
                page.set_viewport_size(original)
        return found

    def _violations_of_copy(self, page: Page, state: str) -> list[str]:
        html = _SCRIPT_ELEMENT.sub("", page.content())
        browser = page.context.browser
        assert browser is not None
        context = browser.new_context(viewport=page.viewport_size)
        try:
            copy = context.new_page()
            copy.route(page.url, lambda route: route.fulfill(body=html, content_type="text/html"))
            copy.goto(page.url)
            return self._violations(copy, f"{state}, without JavaScript")
        finally:
            context.close()


def load_axe(require: Any) -> str:
    """The axe-core script, or `require`'s skip (a laptop) or failure (CI) without it."""
    if not AXE_SCRIPT.exists():
        require("axe-core", f"{AXE_SCRIPT} not found: `npm ci` (scripts/install --dev runs it)")
    return AXE_SCRIPT.read_text(encoding="utf-8")
