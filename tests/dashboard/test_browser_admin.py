"""Admin pages in Chromium: users and roles, live metrics, analytics charts."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.dashboard.conftest import BROWSER_TESTS, screenshot, sign_in, wait_until

pytestmark = BROWSER_TESTS


async def test_an_admin_adds_a_user_and_changes_their_role(live_server, browser):
    live_server.require("POST /auth/jwt/login", "GET /users", "POST /auth/register", "PATCH /users/{id}")
    page = await sign_in(await browser(), live_server, "admin", "/app/users")
    await page.wait_for_selector('#user-rows tr[data-email="staff@clinic.test"]')
    await page.fill("#user-form input[name=email]", "new.nurse@clinic.test")
    await page.fill("#user-form input[name=password]", "a-long-enough-secret-9")
    await page.select_option("#user-form select[name=role]", "viewer")
    await page.click("#user-form button[type=submit]")
    row = '#user-rows tr[data-email="new.nurse@clinic.test"]'
    await page.wait_for_selector(row)
    assert await page.eval_on_selector(f"{row} select", "s => s.value") == "viewer"
    await page.select_option(f"{row} select", "staff")
    await page.wait_for_selector(".toast.success")
    await screenshot(page, "users-after-change")
    with live_server.api("admin") as api:
        users = {u["email"]: u["role"] for u in api.get("/users").json()}
    assert users["new.nurse@clinic.test"] == "staff"


async def test_staff_cannot_open_the_users_page(live_server, browser):
    live_server.require("POST /auth/jwt/login")
    page = await sign_in(await browser(), live_server, "staff", "/app/calendar")
    assert await page.query_selector('a[data-nav="users"]') is None
    response = await page.goto(f"{live_server.url}/app/users")
    assert response.status == 403
    await page.wait_for_selector("#forbidden")


async def test_live_metrics_follow_the_server_pushes_and_analytics_draw_from_stats(live_server, browser):
    live_server.require("POST /auth/jwt/login", "GET /ws", "GET /stats", "POST /reserve",
                        "POST /conversations/{wa_id}")
    page = await sign_in(await browser(), live_server, "admin", "/app/live")
    await page.wait_for_selector('[data-metric="process_memory_bytes"] .kpi-value')
    before = await page.inner_text('[data-metric="reservations_successful_total"] .kpi-value')
    with live_server.api("staff") as api:
        from tests.dashboard.test_browser_calendar import working_day
        day = working_day()
        for time in ("11:00", "16:00", "10:00"):
            if api.post("/reserve", json={"id": "966501230000", "title": "Metric", "date": day, "time": time,
                                          "type": 0, "_call_source": "frontend"}).json()["success"]:
                break
    # The next `metrics_updated` push (every 5 s) carries the new count.
    await wait_until(page, "document.querySelector('[data-metric=\"reservations_successful_total\"] .kpi-value')"
                           f".textContent !== {before!r}", within=20)
    await page.wait_for_selector("#event-log li")
    await screenshot(page, "live-after-booking")

    # /stats never looks past today: a message written today is what the window can count.
    today = datetime.now(ZoneInfo("Asia/Riyadh")).date().isoformat()
    with live_server.api("staff") as api:
        api.post("/conversations/966501239999", json={"role": "user", "message": "analytics please",
                                                      "date": today, "time": "09:30:00"})
    await page.goto(f"{live_server.url}/app/analytics")
    await page.wait_for_selector("body[data-ready=true]")
    await page.wait_for_selector('#top-customers a:has-text("966501239999")')
    await page.wait_for_selector("#chart-monthly svg rect", state="attached")
    await screenshot(page, "analytics-with-data")
