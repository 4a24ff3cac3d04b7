"""Browser tests: Debian's chromium, driven by pytest-playwright's sync fixtures, against real
`huntaze-ai serve` processes (each on its own migrated SQLite file, Gemini from the test emulator).
Every page a test opens is watched for JavaScript errors and checked by axe-core (tests/e2e/axe.py)
in the state the test leaves it, besides the states a test checks with `axe.check`.

Two things differ from a plain pytest-playwright set-up:

- Chromium is Debian's, launched by path: `playwright install` downloads from the internet, which
  this project cannot rely on (scripts/test installs the `chromium` package instead). Without it
  these tests skip, and fail with CI=true.
- Playwright's sync API runs its own event loop in the main thread and, while it is started, leaves
  that loop marked as running between calls. The plugin's fixtures are session-scoped, so after the
  first browser test every pytest-asyncio test (and every `asyncio.run`) later in the session would
  fail with "another loop is running". Here `playwright` and the fixtures built on it are
  package-scoped: Playwright stops when the last browser test is done. For the same reason these
  tests are sync, and the async set-up they need (migrations, creators, the Redis window) runs in a
  worker thread, which has no running loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx
import pytest
import redis.asyncio as aioredis
from playwright.sync_api import (
    Browser,
    BrowserContext,
    BrowserType,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from sqlalchemy.engine import URL, make_url

from huntaze_ai.config import Plan, Settings
from huntaze_ai.kit import migrations
from huntaze_ai.kit.db import Database
from huntaze_ai.metering.rate_limit import CreatorRateLimiter, RateLimitExceeded
from tests.apphelpers import shared_emulator_url
from tests.conftest import redis_database, require_service
from tests.e2e.axe import AxeAudit, load_axe
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.ports import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Clicks and expectations wait this long by default: the servers share the machine with chromium.
ACTION_TIMEOUT_MS = 15_000
SERVER_START_TIMEOUT_S = 90

# The e2e rate-limit windows live in a Redis database of their own (as the smoke test's do): a
# window filled here for creator N must never meet another test's creator N.
E2E_REDIS_URL = redis_database("e2e")

# The servers the tests can ask for, by fixture name, with what sets each apart. Each costs seconds
# of CPU to start, so one serves both plans: starter as shipped, pro with its quota used up.
SERVER_ENVIRONMENTS: dict[str, dict[str, str]] = {
    "app_server": {"QUOTA_PRO_USD": "0"},
    "shared_limit_server": {"REDIS_URL": E2E_REDIS_URL},
}

T = TypeVar("T")


def in_worker_thread(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine in a thread of its own: this thread's loop belongs to Playwright."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


# --- the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], browser_name: str
) -> dict[str, Any]:
    if browser_name != "chromium":
        pytest.skip("the browser tests drive Debian's chromium only")
    if not CHROMIUM.exists():
        require_service(
            "Chromium", f"{CHROMIUM} not found: `apt-get install chromium` (scripts/test does)"
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": browser_type_launch_args.get("headless", True),  # --headed still works
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts: Any) -> Iterator[Playwright]:
    pw = sync_playwright().start()
    if _pw_api_request_contexts:  # --tracing records API requests too, as the plugin does
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    browser_type: BrowserType = getattr(playwright, browser_name)
    return browser_type


@pytest.fixture(scope="package")
def launch_browser(
    browser_type_launch_args: dict[str, Any], browser_type: BrowserType
) -> Callable[..., Browser]:
    def launch(**kwargs: Any) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args(
    pytestconfig: pytest.Config,
    playwright: Playwright,
    device: str | None,
    _pw_artifacts_folder: Any,
) -> dict[str, Any]:
    """The plugin's context options (--device, --video), at the package's scope.

    Not --base-url: each server has its own. Its fallback `base_url` fixture is also a method of
    a plugin object, which pytest 9 deprecates, and warnings are errors here."""
    args: dict[str, Any] = {}
    if device:
        args.update(playwright.devices[device])
    if pytestconfig.getoption("--video") in ("on", "retain-on-failure"):
        args["record_video_dir"] = _pw_artifacts_folder.name
    return args


_FAILED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d{3})")


@dataclass
class BrowserErrors:
    """Uncaught JavaScript errors and console errors of every page a test opens: any fails it."""

    errors: list[str] = field(default_factory=list)
    expected_statuses: set[int] = field(default_factory=set)

    def expect_http_status(self, status: int) -> None:
        """The test provokes this refusal: chromium's "Failed to load resource" line for it is
        the browser reporting the status, not a fault of the page."""
        self.expected_statuses.add(status)

    def watch(self, context: BrowserContext) -> None:
        context.on("page", self._watch_page)

    def _watch_page(self, page: Page) -> None:
        page.on("pageerror", lambda error: self._page_error(page, error))
        page.on("console", self._console)

    def _page_error(self, page: Page, error: Error) -> None:
        self.errors.append(f"uncaught {error.name}: {error.message} on {page.url}\n{error.stack}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        failed = _FAILED_LOAD.search(message.text)
        if failed and int(failed[1]) in self.expected_statuses:
            return
        where = message.location.get("url") or (message.page.url if message.page else "?")
        self.errors.append(f"console.error on {where}: {message.text}")


@pytest.fixture
def browser_errors() -> Iterator[BrowserErrors]:
    watcher = BrowserErrors()
    yield watcher
    if watcher.errors:
        pytest.fail("errors in the browser:\n" + "\n".join(watcher.errors), pytrace=False)


@pytest.fixture(scope="package")
def axe_source() -> str:
    return load_axe(require_service)


@pytest.fixture
def axe(axe_source: str) -> AxeAudit:
    """axe-core for this test: `axe.check(page, "state")` at each state the test reaches."""
    return AxeAudit(axe_source)


@pytest.fixture
def new_context(
    new_context: Callable[..., BrowserContext], browser_errors: BrowserErrors, axe: AxeAudit
) -> Iterator[Callable[..., BrowserContext]]:
    """The plugin's contexts (fresh cookies each), watched for JavaScript errors; when the test
    ends, axe checks the state every page is left in (before the plugin closes them)."""

    def make(**kwargs: Any) -> BrowserContext:
        context = new_context(**kwargs)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        browser_errors.watch(context)
        axe.watch(context, scripts=kwargs.get("java_script_enabled", True))
        return context

    yield make
    axe.check_last_states()


# --- the servers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Creator:
    id: int
    email: str
    password: str = DEFAULT_PASSWORD


async def _new_creator(database_url: URL, plan: Plan) -> Creator:
    database = Database.from_url(database_url)
    try:
        async with database.sessionmaker() as session, session.begin():
            user = await create_user(session, plan=plan)
            return Creator(user.id, user.email)
    finally:
        await database.dispose()


# Every variable the app's settings read: the servers get only the ones set here, whatever the
# shell running the tests exports.
_APP_VARIABLES = {name.upper() for name in Settings.model_fields} | {"PROMETHEUS_MULTIPROC_DIR"}


@dataclass
class AppServer:
    """One `huntaze-ai serve` process on its own migrated SQLite file."""

    name: str
    url: str
    database_url: URL
    log: Path
    process: subprocess.Popen[bytes]
    log_file: IO[bytes]
    ready: bool = False

    @classmethod
    def start(cls, name: str, workdir: Path, template_db: Path, env: dict[str, str]) -> AppServer:
        db_file = workdir / f"{name}.db"
        shutil.copy(template_db, db_file)
        port = free_port()
        environment = {
            **{k: v for k, v in os.environ.items() if k.upper() not in _APP_VARIABLES},
            "DATABASE_URL": f"sqlite:///{db_file}",
            "GEMINI_BASE_URL": shared_emulator_url(),
            **env,
        }
        log = workdir / f"{name}.log"
        log_file = log.open("wb")
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("huntaze-ai")), "serve", "--port", str(port)],
            env=environment,
            cwd=workdir,  # no stray .env of the checkout is read
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        return cls(name, url, make_url(f"sqlite+aiosqlite:///{db_file}"), log, process, log_file)

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not self.ready:
            with contextlib.suppress(httpx.TransportError):
                self.ready = httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
            if not self.ready:
                assert self.process.poll() is None, f"{self.name} exited:\n{self.log_tail()}"
                assert time.monotonic() < deadline, f"{self.name} did not start:\n{self.log_tail()}"
                time.sleep(0.2)

    def at(self, path: str) -> str:
        return f"{self.url}{path}"

    def create_creator(self, plan: Plan = "starter") -> Creator:
        """A creator committed straight to this server's database (the CLI would cost seconds
        of imports per creator)."""
        return in_worker_thread(lambda: _new_creator(self.database_url, plan))

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()


class ServerPool:
    def __init__(self, workdir: Path, template_db: Path) -> None:
        self.workdir = workdir
        self.template_db = template_db
        self.servers: dict[str, AppServer] = {}

    def start(self, name: str) -> AppServer:
        if name not in self.servers:
            env = SERVER_ENVIRONMENTS[name]
            self.servers[name] = AppServer.start(name, self.workdir, self.template_db, env)
        return self.servers[name]

    def get(self, name: str) -> AppServer:
        server = self.start(name)
        server.wait_until_serving()
        return server

    def stop_all(self) -> None:
        for server in self.servers.values():
            server.stop()


@pytest.fixture(scope="package", autouse=True)
def servers(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    browser_type_launch_args: dict[str, Any],  # no chromium: no servers either
) -> Iterator[ServerPool]:
    workdir = tmp_path_factory.mktemp("e2e")
    template_db = workdir / "migrated.db"
    with ThreadPoolExecutor(max_workers=1) as thread:  # alembic runs an event loop of its own
        url = make_url(f"sqlite+aiosqlite:///{template_db}")
        thread.submit(migrations.upgrade, url).result()
    pool = ServerPool(workdir, template_db)
    # A server spends seconds importing the app before it answers: start every one the selected
    # tests use now, so that they start side by side and while chromium launches.
    wanted = {
        name
        for item in request.session.items
        for name in getattr(item, "fixturenames", ())
        if name in SERVER_ENVIRONMENTS
    }
    try:
        for name in sorted(wanted):
            pool.start(name)
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture(scope="package")
def app_server(servers: ServerPool) -> AppServer:
    """The shipped configuration (starter plan $10/month, in-process rate limiter), except that
    the pro plan's quota is $0 (QUOTA_PRO_USD=0): a pro creator's quota is used up."""
    return servers.get("app_server")


@pytest.fixture(scope="package")
def shared_limit_server(servers: ServerPool, redis_url: str) -> AppServer:
    """Rate limits counted in Redis, where another instance's requests can fill a window."""
    return servers.get("shared_limit_server")


def fill_rate_window(creator: Creator, plan: Plan = "starter") -> None:
    """Use up the creator's hour in the shared window, as other app instances would have."""

    async def fill() -> None:
        client = aioredis.Redis.from_url(E2E_REDIS_URL)
        try:
            limiter = CreatorRateLimiter(client)
            for _ in range(limiter.limits[plan]):
                await limiter.hit(creator.id, plan)
        except RateLimitExceeded:
            pass  # already full: a window an earlier run filled has not expired yet
        finally:
            await client.aclose()

    in_worker_thread(fill)


def log_in(page: Page, server: AppServer, creator: Creator) -> None:
    page.goto(server.at("/auth/login"))
    page.locator("input[name=email]").fill(creator.email)
    page.locator("input[name=password]").fill(creator.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(server.at("/dashboard"))


def go_to(page: Page, label: str) -> None:
    """Follow the main nav's link `label`; on a phone the nav is folded behind Menu first."""
    toggle = page.get_by_role("button", name="Menu")
    if toggle.is_visible():
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label).click()
