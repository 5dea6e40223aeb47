"""The calendar's resource views follow each resource's own plan (GET /resources/schedule): in the day by
resource, two resources with different hours and slot lengths show different slot rows, a resource on leave
or not working that day says so and offers nothing, a booking made in a column is at that resource's time,
and one dragged into another column moves to that resource (undo moves it back); the week by resource shows
one resource's seven days with its own slots and only its bookings, switches with the day view, and fits a
phone in Arabic (the columns scroll inside their box)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from tests.dashboard.conftest import BROWSER_TESTS, browser, chromium, live_server, screenshot, sign_in  # noqa: F401
from tests.dashboard.test_browser_calendar import chip, working_day

pytestmark = BROWSER_TESTS


def weekday_of(day: str) -> int:
    """0 = Sunday … 6 = Saturday, as resources number days."""
    return (date.fromisoformat(day).weekday() + 1) % 7


def add_resources(server, *bodies: dict) -> list[int]:
    with server.api("admin") as api:
        ids = []
        for body in bodies:
            answer = api.post("/resources", json=body)
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["data"]["id"])
        return ids


async def book(url: str, *bookings: tuple[str, str, str, str, int]) -> None:
    """(wa_id, name, day, "HH:MM", resource id) rows, written directly: the page is what is tested."""
    conn = await asyncpg.connect(url)
    try:
        for wa_id, name, day, time, resource in bookings:
            await conn.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2)", wa_id, name)
            await conn.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type, resource_id)"
                               " VALUES ($1, $2::text::date, $3::text::time, 0, $4)", wa_id, day, time, resource)
    finally:
        await conn.close()


async def where(url: str, wa_id: str) -> tuple[int, str]:
    """The resource and time of the customer's active booking."""
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow("SELECT resource_id, slot_time FROM reservations WHERE wa_id = $1"
                                  " AND status = 'active'", wa_id)
    finally:
        await conn.close()
    return row["resource_id"], row["slot_time"].strftime("%H:%M")


def column(resource_id: int, view: str = "resources", day: str | None = None) -> str:
    on = f'[data-date="{day}"]' if day else ""
    return f'#calendar.view-{view} .resource-column[data-resource="{resource_id}"]{on}'


async def slot_times(page, selector: str) -> list[str]:
    return await page.eval_on_selector_all(f"{selector} .slot", "slots => slots.map(s => s.dataset.time)")


async def test_each_resource_column_follows_that_resources_own_plan(live_server, browser):  # noqa: F811
    live_server.require("GET /resources/schedule", "POST /resources")
    day = working_day(12)
    weekday = weekday_of(day)
    early, late, away, resting = add_resources(
        live_server,
        {"name_ar": "د. باكر", "name_en": "Dr. Early", "slot_duration_minutes": 60,
         "working_hours": {"start_time": "08:00", "end_time": "12:00"}},
        {"name_ar": "د. متأخر", "name_en": "Dr. Late", "slot_duration_minutes": 90, "capacity": 1,
         "day_specific_hours": [{"day_of_week": weekday, "start_time": "14:00", "end_time": "20:00"}]},
        {"name_ar": "د. مسافر", "name_en": "Dr. Away", "vacations": [{"start": day, "end": day, "title": "Hajj"}]},
        {"name_ar": "د. مرتاح", "name_en": "Dr. Resting", "working_days": [d for d in range(7) if d != weekday]})
    await book(live_server.database_url, ("966500000721", "Early Patient", day, "09:00", early))
    page = await sign_in(await browser(), live_server, "staff", f"/app/calendar?view=resources&date={day}")
    await page.wait_for_selector(f'{column(early)} {chip("Early Patient", "09:00")}')
    assert await slot_times(page, column(early)) == ["08:00", "09:00", "10:00", "11:00"]
    assert await slot_times(page, column(late)) == ["14:00", "15:30", "17:00", "18:30"]

    assert await page.get_attribute(column(away), "data-off") == "resource_vacation"
    assert await page.text_content(f"{column(away)} .vacation-note") == "On leave: Hajj"
    assert await page.get_attribute(column(resting), "data-off") == "day_off"
    assert await page.text_content(f"{column(resting)} .closed-note") == "Not working this day"
    for off in (away, resting):
        assert await page.locator(f"{column(off)} .slot").count() == 0, "an off resource offers no slot"
    await screenshot(page, "calendar-resources-own-hours")

    # a booking started in Dr. Late's column offers Dr. Late's times and is booked with Dr. Late
    await page.click(f'{column(late)} .slot[data-time="15:30"] .slot-time')
    options = await page.eval_on_selector_all("#booking-form select[name=time] option", "o => o.map(x => x.value)")
    assert options == ["14:00", "15:30", "17:00", "18:30"]
    await page.fill("#booking-form input[name=wa_id]", "+966 50 000 0722")
    await page.fill("#booking-form input[name=name]", "Late Patient")
    await page.click("#booking-save")
    await page.wait_for_selector(f'{column(late)} {chip("Late Patient", "15:30")}')
    assert await where(live_server.database_url, "966500000722") == (late, "15:30")
    # Dr. Late takes one booking per slot: that slot shows it full; Dr. Early's show the clinic's 6 places
    assert await page.text_content(f'{column(late)} .slot.full[data-time="15:30"] .slot-load') == "1/1"
    assert await page.text_content(f'{column(late)} .slot:not(.full)[data-time="17:00"] .slot-load') == "0/1"
    assert await page.text_content(f'{column(early)} .slot[data-time="09:00"] .slot-load') == "1/6"

    # dragged into Dr. Late's column, Dr. Early's booking moves to Dr. Late at Dr. Late's 17:00; undo moves it back
    await page.drag_and_drop(f'{column(early)} {chip("Early Patient", "09:00")}',
                             f'{column(late)} .slot[data-time="17:00"]')
    await page.wait_for_selector(f'{column(late)} {chip("Early Patient", "17:00")}')
    assert await page.locator(f'{column(early)} {chip("Early Patient")}').count() == 0
    assert await where(live_server.database_url, "966500000721") == (late, "17:00")
    await page.click('.toast:has-text("Moved") .toast-action')
    await page.wait_for_selector(f'{column(early)} {chip("Early Patient", "09:00")}')
    assert await where(live_server.database_url, "966500000721") == (early, "09:00")

    # an admin sends Dr. Early on leave that day: the open page shows it off without a reload
    with live_server.api("admin") as api:
        answer = api.patch(f"/resources/{early}", json={"vacations": [{"start": day, "end": day, "title": "Ill"}]})
        assert answer.status_code == 200, answer.text
    await page.wait_for_selector(f'{column(early)}[data-off="resource_vacation"]')
    assert await slot_times(page, column(early)) == ["09:00"], "the booking made before the leave still shows"


def next_monday(days_ahead: int) -> date:
    day = datetime.now(ZoneInfo("Asia/Riyadh")).date() + timedelta(days=days_ahead)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def week_plan(day: date, leave: date) -> tuple[str, list[str]]:
    """Dr. Week: Sunday to Wednesday 09:00-12:00 hourly, Mondays 13:00-15:00; on leave on `leave`."""
    weekday = (day.weekday() + 1) % 7
    if day == leave:
        return "resource_vacation", []
    if weekday not in (0, 1, 2, 3):
        return "day_off", []
    return "", ["13:00", "14:00"] if weekday == 1 else ["09:00", "10:00", "11:00"]


async def test_the_week_by_resource_shows_one_resources_week_and_switches_with_the_day_view(live_server, browser):  # noqa: F811
    live_server.require("GET /resources/schedule", "POST /resources")
    monday = next_monday(21)
    sunday, tuesday = monday - timedelta(days=1), monday + timedelta(days=1)
    week, other = add_resources(
        live_server,
        {"name_ar": "د. أسبوع", "name_en": "Dr. Week", "slot_duration_minutes": 60, "working_days": [0, 1, 2, 3],
         "working_hours": {"start_time": "09:00", "end_time": "12:00"},
         "day_specific_hours": [{"day_of_week": 1, "start_time": "13:00", "end_time": "15:00"}],
         "vacations": [{"start": tuesday.isoformat(), "end": tuesday.isoformat(), "title": "Course"}]},
        {"name_ar": "د. آخر", "name_en": "Dr. Other", "slot_duration_minutes": 60,
         "working_hours": {"start_time": "09:00", "end_time": "12:00"}})
    await book(live_server.database_url,
               ("966500000731", "Week Sunday", sunday.isoformat(), "10:00", week),
               ("966500000732", "Week Monday", monday.isoformat(), "13:00", week),
               ("966500000733", "Other Sunday", sunday.isoformat(), "10:00", other))
    page = await sign_in(await browser(), live_server, "staff", f"/app/calendar?view=resources&date={monday}")

    # the day view's column opens that resource's week
    await page.click(f"{column(week)} .open-week")
    await page.wait_for_selector(f'{column(week, "resource-week", sunday.isoformat())} {chip("Week Sunday", "10:00")}')
    assert await page.get_attribute("#view-resource-week", "aria-pressed") == "true"
    assert (await page.text_content("#cal-range")).startswith("Dr. Week · ")
    assert await page.input_value("#cal-resource") == str(week)
    dates = await page.eval_on_selector_all("#calendar .resource-column", "c => c.map(x => x.dataset.date)")
    first = date.fromisoformat(dates[0])
    assert dates == [(first + timedelta(days=n)).isoformat() for n in range(7)] and monday.isoformat() in dates
    assert await page.locator(f'#calendar .resource-column:not([data-resource="{week}"])').count() == 0
    for shown in dates:
        off, slots = week_plan(date.fromisoformat(shown), tuesday)
        cell = column(week, "resource-week", shown)
        assert await page.get_attribute(cell, "data-off") == off, shown
        booked = {sunday.isoformat(): ["10:00"], monday.isoformat(): ["13:00"]}.get(shown, [])
        assert await slot_times(page, cell) == sorted({*slots, *booked}), shown
    assert await page.locator(f"#calendar {chip('Week Monday', '13:00')}").count() == 1
    assert await page.locator(f"#calendar {chip('Other Sunday')}").count() == 0, "only Dr. Week's bookings"
    await screenshot(page, "calendar-resource-week")

    # another resource from the filter: its week; then back to the day by resource, and to the week again
    await page.select_option("#cal-resource", str(other))
    other_sunday = column(other, "resource-week", sunday.isoformat())
    await page.wait_for_selector(f'{other_sunday} {chip("Other Sunday", "10:00")}')
    assert await page.locator(f"#calendar {chip('Week Sunday')}").count() == 0
    await page.select_option("#cal-resource", str(week))
    await page.wait_for_selector(f'{column(week, "resource-week", sunday.isoformat())} {chip("Week Sunday")}')
    await page.click("#view-resources")
    await page.wait_for_selector(f'{column(week, "resources", monday.isoformat())} {chip("Week Monday", "13:00")}')
    assert await page.locator("#calendar .resource-column").count() == 1  # the filter keeps Dr. Week
    await page.click("#view-resource-week")
    await page.wait_for_selector(f'{column(week, "resource-week", tuesday.isoformat())}[data-off="resource_vacation"]')
    # the plain week, filtered to Dr. Week, is laid out on Dr. Week's plan too
    await page.click("#view-week")
    await page.wait_for_selector(f'{column(week, "week", tuesday.isoformat())}[data-off="resource_vacation"]')
    assert await slot_times(page, column(week, "week", monday.isoformat())) == ["13:00", "14:00"]

    # Arabic on a phone: Arabic names, and the seven columns scroll inside their box, not the page
    phone = await browser(width=390, height=844)
    await phone.add_cookies([{"name": "mawid_lang", "value": "ar", "url": live_server.url}])
    address = f"/app/calendar?view=resource-week&date={monday}&resource={week}"
    small = await sign_in(phone, live_server, "staff", address)
    await small.wait_for_selector(f'{column(week, "resource-week", monday.isoformat())} {chip("Week Monday", "13:00")}')
    assert (await small.text_content("#cal-range")).startswith("د. أسبوع · ")
    assert await small.text_content("#view-resource-week") == "الأسبوع حسب الطبيب"
    assert await small.text_content(f'{column(week, "resource-week", tuesday.isoformat())} .vacation-note') \
        == "في إجازة: Course"
    overflow = await small.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the week by resource is {overflow}px wider than a phone screen"
    inside = await small.eval_on_selector("#calendar", "box => box.scrollWidth - box.clientWidth")
    assert inside > 0, "the seven columns should scroll inside the calendar"
    await screenshot(small, "calendar-resource-week-phone-ar")
