"""The day and week views follow the clinic's configured schedule, not hours written into the page: an admin
changes the working days, hours and slot length through PUT /api/config and the open week shows the new slot
rows without a reload (and so does a fresh page and the booking dialog's times); until the plan is read a
day shows a loading note, never a guessed slot. With one resource the dialog offers no doctor/room choice."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.dashboard.conftest import BROWSER_TESTS, hold_requests, live, screenshot, sign_in

pytestmark = BROWSER_TESTS

SCHEDULE_KEYS = ("working_days", "default_working_hours", "day_specific_hours", "slot_duration_hours",
                 "day_specific_slot_durations", "custom_calendar_ranges", "calendar_first_day")
# Monday to Friday (Friday too, the reference's closed day), 08:00-12:00 in one-hour slots; Sunday 14:00-16:00.
NEW_HOURS = {
    "working_days": [0, 1, 2, 3, 4, 5], "default_working_hours": {"days_of_week": [1, 2, 3, 4, 5],
                                                                    "start_time": "08:00", "end_time": "12:00"},
    "day_specific_hours": [{"day_of_week": 0, "start_time": "14:00", "end_time": "16:00"}],
    "slot_duration_hours": 1, "day_specific_slot_durations": [], "custom_calendar_ranges": [], "calendar_first_day": 6,
}


def expected_slots(day: date) -> list[str]:
    weekday = (day.weekday() + 1) % 7  # 0 = Sunday
    if weekday == 6:
        return []
    return ["14:00", "15:00"] if weekday == 0 else ["08:00", "09:00", "10:00", "11:00"]


def saturday_ahead(days: int) -> date:
    day = datetime.now(ZoneInfo("Asia/Riyadh")).date() + timedelta(days=days)
    return day + timedelta(days=(5 - day.weekday()) % 7)


async def week_slots(page) -> dict[str, list[str]]:
    return await page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#calendar .day')]
        .map((d) => [d.dataset.date, [...d.querySelectorAll('.slot')].map((s) => s.dataset.time)]))""")


async def test_the_week_follows_the_clinics_configured_hours_live(live_server, browser):
    live_server.require("GET /resources/schedule", "PUT /api/config", "GET /api/config")
    saturday = saturday_ahead(35)
    week = [saturday + timedelta(days=n) for n in range(7)]
    with live_server.api("admin") as api:
        before = api.get("/api/config").json()
    original = {key: before[key] for key in SCHEDULE_KEYS if key in before}
    page = await sign_in(await browser(), live_server, "staff", f"/app/calendar?view=week&date={saturday}")
    try:
        await live(page)
        shown = await week_slots(page)
        assert sorted(shown) == [d.isoformat() for d in week]
        assert shown[(saturday + timedelta(days=6)).isoformat()] == [], "Friday is closed by default"

        with live_server.api("admin") as api:
            answer = api.put("/api/config", json=NEW_HOURS)
            assert answer.status_code == 200, answer.text
        monday = (saturday + timedelta(days=2)).isoformat()
        await page.wait_for_selector(f'#calendar .day[data-date="{monday}"] .slot[data-time="08:00"]')
        assert await week_slots(page) == {d.isoformat(): expected_slots(d) for d in week}
        assert await page.text_content(f'#calendar .day[data-date="{saturday}"] .closed-note') == "Closed"
        await screenshot(page, "calendar-configured-hours")

        # the booking dialog offers the configured slots, and with one resource no doctor/room choice
        friday = (saturday + timedelta(days=6)).isoformat()
        await page.click(f'#calendar .day[data-date="{friday}"] .slot[data-time="09:00"] .slot-time')
        options = await page.eval_on_selector_all("#booking-form select[name=time] option", "o => o.map(x => x.value)")
        assert options == ["08:00", "09:00", "10:00", "11:00"]
        assert await page.input_value("#booking-form select[name=time]") == "09:00"
        assert await page.is_hidden("#booking-resource-box")
        await page.click("#booking-close")

        # a fresh page whose plan is held back shows a loading note and no slot, then the configured rows
        context = await browser()
        release = await hold_requests(context, "**/resources/schedule?*")
        fresh = await sign_in_without_waiting(context, live_server, f"/app/calendar?view=week&date={saturday}")
        await fresh.wait_for_selector(f'#calendar .day[data-date="{monday}"][data-loading="true"] .loading-note')
        assert await fresh.locator("#calendar .slot").count() == 0, "no slot before the plan is known"
        release.set()
        await fresh.wait_for_selector(f'#calendar .day[data-date="{monday}"] .slot[data-time="11:00"]')
        assert await week_slots(fresh) == {d.isoformat(): expected_slots(d) for d in week}
    finally:
        with live_server.api("admin") as api:
            assert api.put("/api/config", json=original).status_code == 200
    # the restored config brings back exactly the week first shown
    deadline = asyncio.get_running_loop().time() + 30
    while (now_shown := await week_slots(page)) != shown and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    assert now_shown == shown


async def sign_in_without_waiting(context, server, path: str):
    """Signs in and opens `path` without waiting for the page to be ready (its data may be held back)."""
    user = server.users["staff"]
    answer = await context.request.post(f"{server.url}/auth/jwt/login",
                                        form={"username": user.email, "password": user.password})
    assert answer.ok, await answer.text()
    page = await context.new_page()
    await page.goto(f"{server.url}{path}")
    return page
