"""Attendance in /app: staff mark a past booking attended or no-show from its dialog in the calendar (another open
calendar follows live through the opt-in reservation_attendance), a future booking offers no marking, and the
analytics page's per-resource table shows the no-shows."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from tests.dashboard.conftest import (  # noqa: F401  (fixtures)
    BROWSER_TESTS,
    browser,
    chromium,
    live,
    live_server,
    screenshot,
    sign_in,
    wait_until,
)
from tests.dashboard.test_browser_calendar import chip, working_day

pytestmark = BROWSER_TESTS


def _past_day() -> str:
    return (datetime.now(ZoneInfo("Asia/Riyadh")).date() - timedelta(days=3)).isoformat()


async def _seed(url: str, past: str, future: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        doctor = await conn.fetchval("INSERT INTO resources (name_ar, name_en, capacity) VALUES ('د. رنا', 'Dr. Rana',"
                                     " 2) RETURNING id")
        ids = {"doctor": doctor}
        for wa_id, name, day in (("966500000721", "Came Patient", past), ("966500000722", "Absent Patient", past),
                                 ("966500000723", "Later Patient", future)):
            await conn.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2)", wa_id, name)
            ids[name] = await conn.fetchval("INSERT INTO reservations (wa_id, slot_date, slot_time, type, resource_id)"
                                            " VALUES ($1, $2::text::date, '11:00', 0, $3) RETURNING id",
                                            wa_id, day, doctor)
        return ids
    finally:
        await conn.close()


def state_of(name: str) -> str:
    return f"document.querySelector('.event[data-id=\"{name}\"]')?.dataset.confirmation"


async def test_staff_mark_attendance_on_the_calendar_and_analytics_count_no_shows(live_server, browser):  # noqa: F811
    live_server.require("GET /reservations/attendance", "POST /reservations/{reservation_id}/attendance",
                        "GET /resources/analytics")
    past, future = _past_day(), working_day(11)
    ids = await _seed(live_server.database_url, past, future)
    came, absent = ids["Came Patient"], ids["Absent Patient"]
    watching = await sign_in(await browser(), live_server, "viewer", f"/app/calendar?view=day&date={past}")
    await watching.wait_for_selector(chip("Absent Patient", "11:00"))
    await live(watching)
    page = await sign_in(await browser(), live_server, "staff", f"/app/calendar?view=day&date={past}")

    await page.click(chip("Came Patient", "11:00"))
    await page.wait_for_selector("#booking-attendance:not([hidden])")
    await page.click('#booking-attendance button[data-attendance="attended"]')
    await page.wait_for_selector('#booking-attendance[data-attendance="attended"]')
    await page.click("#booking-close")
    await page.click(chip("Absent Patient", "11:00"))
    await page.wait_for_selector('#booking-attendance[data-attendance=""]')  # this one's dialog, not marked yet
    await page.click('#booking-attendance button[data-attendance="no_show"]')
    await page.wait_for_selector('#booking-attendance[data-attendance="no_show"]')
    await screenshot(page, "calendar-attendance-dialog")
    await page.click("#booking-close")
    await wait_until(page, f"{state_of(came)} === 'attended' && {state_of(absent)} === 'no_show'")
    label = await page.locator(f'.event[data-id="{absent}"] .confirmation').inner_text()
    assert label.strip() == "No-show"
    await wait_until(watching, f"{state_of(absent)} === 'no_show'")  # live in the other calendar
    await screenshot(page, "calendar-attendance")
    conn = await asyncpg.connect(live_server.database_url)
    try:
        marks = dict(await conn.fetch("SELECT id, attendance FROM reservations WHERE id = ANY($1::int[])",
                                      [came, absent]))
    finally:
        await conn.close()
    assert marks == {came: "attended", absent: "no_show"}

    # a coming booking cannot be marked yet: its dialog has no attendance buttons
    await page.goto(f"{live_server.url}/app/calendar?view=day&date={future}")
    await page.wait_for_selector("body[data-ready=true]")
    await page.click(chip("Later Patient", "11:00"))
    await page.wait_for_selector("#booking-dialog[open]")
    assert await page.is_hidden("#booking-attendance")

    analytics = await sign_in(await browser(), live_server, "viewer", "/app/analytics")
    await analytics.fill("#stats-range input[name=from_date]", past)
    await analytics.fill("#stats-range input[name=to_date]", past)
    await analytics.click("#stats-range button[type=submit]")
    row = f'#by-resource tr[data-resource="{ids["doctor"]}"]'
    await analytics.wait_for_selector(f'{row} td.no-shows:text-is("1")')
    assert (await analytics.inner_text(f"{row} td.no-show-rate")).strip() == "50%"
