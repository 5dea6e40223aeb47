"""The dashboard with several resources: the calendar's resource filter shows only that resource's bookings
and books with it; the analytics page lists bookings and utilisation per resource."""
from __future__ import annotations

import asyncpg

from tests.dashboard.conftest import BROWSER_TESTS, browser, chromium, live_server, sign_in  # noqa: F401
from tests.dashboard.test_browser_calendar import chip, working_day

pytestmark = BROWSER_TESTS


async def _seed(url: str, day: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        ids = {name: await conn.fetchval("INSERT INTO resources (name_ar, name_en, capacity) VALUES ($1, $1, 1)"
                                         " RETURNING id", name) for name in ("Dr. Lina", "Dr. Omar")}
        for wa_id, name, resource in (("966500000701", "Lina Patient", ids["Dr. Lina"]),
                                      ("966500000702", "Omar Patient", ids["Dr. Omar"])):
            await conn.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2)", wa_id, name)
            await conn.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type, resource_id)"
                               " VALUES ($1, $2::text::date, '11:00', 0, $3)", wa_id, day, resource)
        return ids
    finally:
        await conn.close()


async def test_the_calendar_filters_by_resource_and_analytics_lists_each(live_server, browser):  # noqa: F811
    live_server.require("GET /resources", "GET /resources/analytics")
    day = working_day(9)
    ids = await _seed(live_server.database_url, day)
    page = await sign_in(await browser(), live_server, "staff", f"/app/calendar?view=day&date={day}")
    await page.wait_for_selector("#cal-resource-box:not([hidden])")
    await page.wait_for_selector(chip("Lina Patient", "11:00"))
    await page.wait_for_selector(chip("Omar Patient", "11:00"))
    await page.select_option("#cal-resource", str(ids["Dr. Omar"]))
    await page.wait_for_selector(chip("Lina Patient"), state="detached")
    assert await page.is_visible(chip("Omar Patient", "11:00"))

    # a booking made under the filter is Dr. Omar's
    await page.click('.slot[data-time="13:00"] .slot-time')
    await page.fill("#booking-form input[name=wa_id]", "+966 50 000 0703")
    await page.fill("#booking-form input[name=name]", "Filtered Patient")
    await page.click("#booking-save")
    await page.wait_for_selector(chip("Filtered Patient", "13:00"))
    conn = await asyncpg.connect(live_server.database_url)
    try:
        booked = await conn.fetchval("SELECT resource_id FROM reservations WHERE wa_id = '966500000703'")
    finally:
        await conn.close()
    assert booked == ids["Dr. Omar"]

    analytics = await sign_in(await browser(), live_server, "viewer", "/app/analytics")
    await analytics.fill("#stats-range input[name=from_date]", day)
    await analytics.fill("#stats-range input[name=to_date]", day)
    await analytics.click("#stats-range button[type=submit]")
    row = f'#by-resource tr[data-resource="{ids["Dr. Omar"]}"]'
    await analytics.wait_for_selector(f'{row} td:nth-child(2):text-is("2")')  # the page's CSP forbids eval
    cells = await analytics.eval_on_selector_all(f"{row} td", "cells => cells.map(c => c.textContent)")
    assert cells[0] == "Dr. Omar" and cells[1] == "2" and cells[4].endswith("%"), cells
