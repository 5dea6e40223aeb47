"""Browser fixtures: a real `bin/mawid serve`, real users with passwords, Debian's Chromium via Playwright.

A route the scenario needs that the server does not serve fails the test, naming the route. Without
Chromium, browser tests fail as root (`make test` installs it) and skip otherwise, naming the package.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
import pytest_asyncio

from actors.accounts.store import create_account
from runtime.routes import Role
from tests.support.browser_trace import BrowserTrace
from tests.support.database import create_test_database, drop_test_database
from tests.support.reports import failed
from tests.support.requirements import require_program
from tests.support.servers import ROOT, ServerProcess

SCREENSHOTS = ROOT / "var" / "artifacts" / "screenshots"
TRACES = ROOT / "var" / "artifacts" / "browser-traces"
PASSWORD = "correct-horse-battery-staple"
# Browser tests share this package's loop with the `chromium` fixture.
BROWSER_TESTS = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="package")]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("MAWID_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@dataclass
class Staff:
    email: str
    password: str
    role: Role


@dataclass
class LiveServer:
    process: ServerProcess
    routes: set[str]
    users: dict[str, Staff]
    database_url: str

    @property
    def url(self) -> str:
        return self.process.url

    def require(self, *routes: str) -> None:
        """Fail the calling test, naming every route it needs that this server does not serve."""
        missing = [route for route in routes if route not in self.routes]
        if missing:
            pytest.fail(f"route(s) not served: {', '.join(missing)}", pytrace=False)

    def token(self, who: str) -> str:
        user = self.users[who]
        answer = httpx.post(f"{self.url}/auth/jwt/login", data={"username": user.email, "password": user.password})
        answer.raise_for_status()
        return answer.json()["access_token"]

    def api(self, who: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token(who)}"}, timeout=15)


def served_routes(url: str) -> set[str]:
    document = httpx.get(f"{url}/openapi.json", timeout=10).json()
    return {f"{method.upper()} {path}" for path, item in document.get("paths", {}).items() for method in item}


SERVER_ENV = {
    "JWT_SECRET": "dashboard-tests-secret-not-for-production-0123",
    "APP_SECRET": "dashboard-tests-app-secret",  # signs the simulator's webhook deliveries
    "VERIFY_TOKEN": "dashboard-tests-verify-token",
    "LOG_FORMAT": "text",
    "LOG_LEVEL": "INFO",  # printed with a failing browser test
    "LLM_PROVIDER": "offline",  # the built-in assistant answers the simulator
    "ENVIRONMENT": "development",
    "TIMEZONE": "Asia/Riyadh",
    "SHUTDOWN_DEADLINE": "2",  # nothing to drain at the end of the session
}
ROLES = (("admin", Role.ADMIN), ("staff", Role.STAFF), ("staff2", Role.STAFF), ("viewer", Role.VIEWER))


async def _create_staff(url: str) -> dict[str, Staff]:
    conn = await asyncpg.connect(url)
    users = {}
    try:
        for name, role in ROLES:
            email = f"{name}@clinic.test"
            await create_account(conn, email, PASSWORD, role=role, check_password=False)
            users[name] = Staff(email, PASSWORD, role)
    finally:
        await conn.close()
    return users


@pytest.fixture(scope="package")
def live_server():
    """One served process for this folder's browser tests, on a database of its own (tests use
    distinct customers and days, so they do not need empty tables). Stopped when the folder is
    done. Synchronous: it must not share the per-test event loops."""
    url = asyncio.run(create_test_database("mawid_ui"))
    try:
        users = asyncio.run(_create_staff(url))
        process = ServerProcess({**SERVER_ENV, "DATABASE_URL": url}).start()
        try:
            yield LiveServer(process, served_routes(process.url), users, url)
        finally:
            process.stop()
    finally:
        asyncio.run(drop_test_database(url))


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def chromium():
    """One headless Chromium for this folder's tests (on a fresh temporary user-data dir).

    Browser tests run on this package's event loop (`BROWSER_TESTS` marks) so they can share it;
    starting Playwright's driver and Chromium for every test would double the folder's time.
    """
    path = chromium_path() or require_program("chromium", "chromium")
    from playwright.async_api import async_playwright  # a test dependency (pyproject.toml): never optional
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    playwright = await async_playwright().start()
    try:
        browser = await playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
    finally:
        await playwright.stop()


@pytest_asyncio.fixture(loop_scope="package")
async def browser(chromium, live_server, request):
    """`await browser()` opens a fresh profile (its own cookies and storage): "a second browser"
    is a second signed-in person. Profiles are closed after the test; when it failed, what each
    page saw (frames, answers, console) and the server's log are printed with it."""
    contexts = []
    trace = BrowserTrace()

    async def open_profile(*, width: int = 1280, height: int = 860, locale: str = "en-US"):
        context = await chromium.new_context(viewport={"width": width, "height": height}, locale=locale,
                                             timezone_id="UTC")
        # a ceiling, not a speed check: two full runs had a live update miss 15 s at the end of the suite,
        # while the other xdist worker ran the 1,000-booking race test on both cores
        context.set_default_timeout(30000)
        trace.watch(context)
        contexts.append(context)
        return context

    try:
        yield open_profile
    finally:
        report = trace.report(live_server.process.logs())
        TRACES.mkdir(parents=True, exist_ok=True)  # kept for every test: a slow pass is worth reading too
        (TRACES / f"{request.node.name[:120]}.log").write_text(report)
        if failed(request.node):
            print(report)
        for context in contexts:
            await context.close()


async def log_in(context, server: LiveServer, who: str, next_path: str = "/app/calendar"):
    """Sign in through the login form, as a person would; returns the page on `next_path`."""
    user = server.users[who]
    page = context.pages[0] if context.pages else await context.new_page()
    await page.goto(f"{server.url}{next_path}")
    await page.wait_for_url("**/login**")
    await page.fill("input[name=username]", user.email)
    await page.fill("input[name=password]", user.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"**{next_path.split('?')[0]}**")
    await page.wait_for_selector("body[data-ready=true]")
    return page


async def sign_in(context, server: LiveServer, who: str, path: str = "/app/calendar"):
    """Sign in through the login route from inside the browser profile (its cookies land in the
    profile's jar, exactly as after the form), then open `path`; returns the ready page."""
    user = server.users[who]
    answer = await context.request.post(f"{server.url}/auth/jwt/login",
                                        form={"username": user.email, "password": user.password})
    assert answer.ok, await answer.text()
    page = context.pages[0] if context.pages else await context.new_page()
    await page.goto(f"{server.url}{path}")
    await page.wait_for_selector("body[data-ready=true]")
    return page


async def screenshot(page, name: str) -> Path:
    target = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(target), full_page=True)
    return target


async def wait_until(page, expression: str, within: float = 15.0) -> None:
    """Poll a JavaScript expression from outside the page until it is truthy.

    Playwright's `wait_for_function` polls with `eval` inside the page, which the
    dashboards' Content-Security-Policy forbids (as it should); a CDP evaluation is not.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await page.evaluate(expression):
        if loop.time() > deadline:
            raise AssertionError(f"still false after {within}s: {expression}")
        await asyncio.sleep(0.05)


async def hold_requests(context, pattern: str) -> asyncio.Event:
    """Hold the browser's requests matching `pattern` until the returned event is set."""
    release = asyncio.Event()

    async def held(route):
        await release.wait()
        await route.continue_()
    await context.route(pattern, held)
    return release


async def live(page) -> None:
    """Wait until the page's socket is open and the server has read every frame the page sent on opening
    (its opt-in subscriptions among them): frames of one socket are handled in order, so the answer to a
    ping sent now comes after them. `online` alone only says the socket opened."""
    await wait_until(page, "window.mawidRealtime && window.mawidRealtime.online")
    answer = await page.evaluate("() => window.mawidRealtime.request({type: 'ping'}, 'pong', 'error')")
    assert answer.get("type") == "pong", answer


def js_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)
