"""Every page in headless Chromium against a real server: signs in, renders, screenshots in both languages."""
from __future__ import annotations

from handlers.dashboard import PAGES
from runtime.routes import Role
from tests.dashboard.conftest import BROWSER_TESTS, hold_requests, live, log_in, screenshot, sign_in, wait_until

pytestmark = BROWSER_TESTS


async def test_sign_in_then_every_page_renders_in_english_arabic_and_at_phone_width(live_server, browser):
    live_server.require("POST /auth/jwt/login", "GET /ws")
    context = await browser()
    page = await log_in(context, live_server, "admin")
    assert await page.get_attribute("html", "dir") == "ltr"
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    login = await context.new_page()
    await login.goto(f"{live_server.url}/login")
    await screenshot(login, "login-en")
    await login.close()
    for item in PAGES:
        await page.goto(f"{live_server.url}{item.path}")
        await page.wait_for_selector("body[data-ready=true]")
        await wait_until(page, "window.mawidRealtime && window.mawidRealtime.online")
        await screenshot(page, f"{item.name}-en")

    await page.goto(f"{live_server.url}/app/calendar")
    await page.click("#lang-toggle")
    await page.wait_for_selector("html[dir=rtl]")
    for item in PAGES:
        await page.goto(f"{live_server.url}{item.path}")
        await page.wait_for_selector("body[data-ready=true]")
        assert await page.get_attribute("html", "lang") == "ar"
        await screenshot(page, f"{item.name}-ar")

    phone = await browser(width=390, height=844)
    small = await sign_in(phone, live_server, "staff")
    for name in (item.name for item in PAGES if item.role <= Role.STAFF):
        await small.goto(f"{live_server.url}/app/{name}")
        await small.wait_for_selector("body[data-ready=true]")
        # Nothing may force sideways scrolling on a phone.
        overflow = await small.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} is {overflow}px wider than a phone screen"
        await screenshot(small, f"{name}-phone")
    assert not problems, problems


async def test_a_wrong_password_is_refused_and_signing_out_ends_the_session(live_server, browser):
    live_server.require("POST /auth/jwt/login", "POST /auth/jwt/logout")
    context = await browser()
    page = await context.new_page()
    await page.goto(f"{live_server.url}/login")
    await page.fill("input[name=username]", live_server.users["staff"].email)
    await page.fill("input[name=password]", "not-the-password")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#login-error:not([hidden])")
    assert page.url.endswith("/login")

    await page.fill("input[name=password]", live_server.users["staff"].password)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/app/calendar")
    await page.click("#logout")
    await page.wait_for_url("**/login")
    await page.goto(f"{live_server.url}/app/customers")
    await page.wait_for_url("**/login?next=/app/customers")


async def test_a_request_refused_while_signing_out_does_not_redirect_elsewhere(live_server, browser):
    """Signing out while the page still loads: the requests in flight come back 401 and used to send the page to
    /login?next=… (after a refresh attempt) in place of the sign-out's /login."""
    live_server.require("POST /auth/jwt/login", "POST /auth/jwt/logout", "GET /reservations")
    context = await browser()
    page = await sign_in(context, live_server, "staff", "/app/calendar")
    await live(page)
    release = await hold_requests(context, "**/login")  # the sign-out's page, held while the page still runs
    # the page re-reads the calendar the moment the sign-out is answered, as a live update would have it
    await page.evaluate("""(() => {
        const plain = window.fetch;
        window.fetch = async (...args) => {
            const answer = await plain(...args);
            if (String(args[0]).includes('/auth/jwt/logout')) {
                window.mawidRealtime.dispatchEvent(new CustomEvent('reconnected'));
            }
            return answer;
        };
    })()""")
    # (the page's own re-reads before the sign-out answer 200 and are not this one)
    async with page.expect_response(lambda r: "/reservations?" in r.url and r.status == 401):
        # Playwright's click waits for a navigation it sees start, and this one is held until after the click:
        # when the sign-out answered fast enough, the click waited on it for good (the last CI run)
        await page.click("#logout", no_wait_after=True)
    await page.wait_for_timeout(500)  # where a redirect to /login?next=… would start
    release.set()
    await page.wait_for_url("**/login", timeout=10_000)
    assert page.url == f"{live_server.url}/login"


async def test_an_expired_access_cookie_is_renewed_without_leaving_the_page(live_server, browser):
    live_server.require("POST /auth/jwt/login", "POST /auth/jwt/refresh", "GET /ws", "GET /phone/all")
    context = await browser()
    page = await sign_in(context, live_server, "staff", "/app/customers")
    await wait_until(page, "window.mawidRealtime.online")
    # As if the short-lived access token had expired: only the refresh cookie is left.
    await context.clear_cookies(name="mawid_access")
    await page.evaluate("window.mawidRealtime.socket.close(4000, 'test drop')")
    await wait_until(page, "window.mawidRealtime.online === false")
    await wait_until(page, "window.mawidRealtime.online", within=20)
    await page.fill("#customer-search", "5")
    await page.wait_for_selector("#customer-count")
    assert "/app/customers" in page.url
    assert any(c["name"] == "mawid_access" for c in await context.cookies())


async def test_a_duplicated_tab_does_not_evict_its_twin_forever(live_server, browser):
    live_server.require("POST /auth/jwt/login", "GET /ws")
    context = await browser()
    first = await sign_in(context, live_server, "staff", "/app/live")
    await wait_until(first, "window.mawidRealtime.online")
    tab = await first.evaluate("window.mawidRealtime.tab")
    # A duplicated browser tab starts with a copy of the original's session storage.
    twin = await context.new_page()
    await twin.add_init_script(f"sessionStorage.setItem('mawid_ws_tab', {tab!r})")
    await twin.goto(f"{live_server.url}/app/live")
    await wait_until(twin, f"window.mawidRealtime.online && window.mawidRealtime.tab === {tab!r}")
    # The server replaced the original's socket (close 1000); it came back under an id of its own.
    await wait_until(first, f"window.mawidRealtime.online && window.mawidRealtime.tab !== {tab!r}")
    assert await twin.evaluate("window.mawidRealtime.online")
