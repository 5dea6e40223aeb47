"""Each booking's confirmation state on the /app calendar: confirmed, asked by a reminder with no reply, not
asked; a patient's Confirm tap turns the booking confirmed live, with no reload."""
from __future__ import annotations

import asyncpg

from tests.dashboard.conftest import BROWSER_TESTS, live, screenshot, sign_in, wait_until
from tests.dashboard.test_browser_calendar import working_day

pytestmark = BROWSER_TESTS

CONFIRMED, ASKED, NOT_ASKED = "966512345701", "966512345702", "966512345703"


async def seed(database_url: str, day: str) -> dict[str, int]:
    """Three bookings of the day: one confirmed, one reminded with no reply yet, one never reminded."""
    conn = await asyncpg.connect(database_url)
    try:
        ids = {}
        for wa_id, name, clock in ((CONFIRMED, "Conf Patient", "11:00"), (ASKED, "Asked Patient", "11:00"),
                                   (NOT_ASKED, "Silent Patient", "11:00")):
            await conn.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2)", wa_id, name)
            ids[wa_id] = await conn.fetchval(
                "INSERT INTO reservations (wa_id, slot_date, slot_time, type, status) VALUES ($1, $2::text::date,"
                " $3::text::time, 0, 'active') RETURNING id", wa_id, day, clock)
        await conn.execute("UPDATE reservations SET confirmed_at = now() WHERE id = $1", ids[CONFIRMED])
        for wa_id in (CONFIRMED, ASKED):
            await conn.execute("INSERT INTO reminder_sends (reservation_id, slot_date, wa_id, status, finished_at)"
                               " VALUES ($1, $2::text::date, $3, 'sent', now())", ids[wa_id], day, wa_id)
        return ids
    finally:
        await conn.close()


def state_of(wa_id: str) -> str:
    return f"document.querySelector('.event[data-wa-id=\"{wa_id}\"]')?.dataset.confirmation"


async def test_the_calendar_shows_each_bookings_confirmation_state(live_server, browser):
    live_server.require("GET /reservations", "GET /reminders/confirmations", "POST /app/api/simulator/message")
    day = working_day(6)
    ids = await seed(live_server.database_url, day)
    page = await sign_in(await browser(), live_server, "staff", f"/app/calendar?view=day&date={day}")
    await wait_until(page, f"{state_of(CONFIRMED)} === 'confirmed'")
    await wait_until(page, f"{state_of(ASKED)} === 'asked'")
    await wait_until(page, f"{state_of(NOT_ASKED)} === 'not_asked'")
    confirmed = page.locator(f'.event[data-wa-id="{CONFIRMED}"] .confirmation')
    assert (await confirmed.inner_text()).strip() == "Confirmed"
    assert (await page.locator(f'.event[data-wa-id="{ASKED}"] .confirmation').inner_text()).strip() == \
        "Asked, no reply"
    await screenshot(page, "calendar-confirmations")

    # the asked patient taps Confirm on the reminder: the open calendar follows (reservation_confirmed)
    await live(page)
    with live_server.api("staff") as api:
        tapped = api.post("/app/api/simulator/message", json={"wa_id": ASKED, "reply": {
            "kind": "quick_reply", "id": f"remind:confirm:{ids[ASKED]}", "title": "Confirm"}})
    assert tapped.status_code < 300, tapped.text
    await wait_until(page, f"{state_of(ASKED)} === 'confirmed'", within=30)
    assert await page.evaluate(state_of(NOT_ASKED)) == "not_asked"
