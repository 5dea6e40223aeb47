"""The dashboard with several resources: the calendar's resource filter shows only that resource's bookings
and books with it; its resource view puts each resource's bookings in a column of its own; the analytics
page lists bookings and utilisation per resource."""
from __future__ import annotations

import asyncpg

from tests.dashboard.conftest import BROWSER_TESTS, browser, chromium, live_server, screenshot, sign_in  # noqa: F401
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


async def _seed_two_doctors(url: str, day: str) -> dict[str, int]:
    """Two resources (English and Arabic names differ) and a booking for each, at the same time."""
    conn = await asyncpg.connect(url)
    try:
        ids = {en: await conn.fetchval("INSERT INTO resources (name_ar, name_en, capacity) VALUES ($1, $2, 1)"
                                       " RETURNING id", ar, en)
               for en, ar in (("Dr. Huda", "د. هدى"), ("Dr. Sami", "د. سامي"))}
        for wa_id, name, resource in (("966500000711", "Huda Patient", ids["Dr. Huda"]),
                                      ("966500000712", "Sami Patient", ids["Dr. Sami"])):
            await conn.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2)", wa_id, name)
            await conn.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type, resource_id)"
                               " VALUES ($1, $2::text::date, '11:00', 0, $3)", wa_id, day, resource)
        return ids
    finally:
        await conn.close()


def _column(resource_id: int) -> str:
    return f'#calendar.view-resources .resource-column[data-resource="{resource_id}"]'


async def test_the_resource_view_shows_each_resources_bookings_in_its_own_column(live_server, browser):  # noqa: F811
    live_server.require("GET /resources")
    day = working_day(10)
    ids = await _seed_two_doctors(live_server.database_url, day)
    huda, sami = _column(ids["Dr. Huda"]), _column(ids["Dr. Sami"])
    page = await sign_in(await browser(), live_server, "staff", f"/app/calendar?view=day&date={day}")
    await page.click("#view-resources")
    await page.wait_for_selector(f'{huda} .resource-head:text-is("Dr. Huda")')
    await page.wait_for_selector(f'{sami} .resource-head:text-is("Dr. Sami")')
    await page.wait_for_selector(f'{huda} {chip("Huda Patient", "11:00")}')
    await page.wait_for_selector(f'{sami} {chip("Sami Patient", "11:00")}')
    assert await page.locator(f'{huda} {chip("Sami Patient")}').count() == 0
    assert await page.locator(f'{sami} {chip("Huda Patient")}').count() == 0
    await screenshot(page, "calendar-resources")

    # a booking made in a column is that column's resource's
    await page.click(f'{huda} .slot[data-time="13:00"] .slot-time')
    await page.fill("#booking-form input[name=wa_id]", "+966 50 000 0713")
    await page.fill("#booking-form input[name=name]", "Column Patient")
    await page.click("#booking-save")
    await page.wait_for_selector(f'{huda} {chip("Column Patient", "13:00")}')
    assert await page.locator(f'{sami} {chip("Column Patient")}').count() == 0
    conn = await asyncpg.connect(live_server.database_url)
    try:
        booked = await conn.fetchval("SELECT resource_id FROM reservations WHERE wa_id = '966500000713'")
    finally:
        await conn.close()
    assert booked == ids["Dr. Huda"]

    # in Arabic the columns carry the Arabic names; on a phone they scroll inside their box, not the page
    phone = await browser(width=390, height=844)
    await phone.add_cookies([{"name": "mawid_lang", "value": "ar", "url": live_server.url}])
    small = await sign_in(phone, live_server, "staff", f"/app/calendar?view=resources&date={day}")
    await small.wait_for_selector(f'{huda} .resource-head:text-is("د. هدى")')
    await small.wait_for_selector(f'{sami} {chip("Sami Patient", "11:00")}')
    overflow = await small.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the resource view is {overflow}px wider than a phone screen"
    inside = await small.eval_on_selector("#calendar", "box => box.scrollWidth - box.clientWidth")
    assert inside > 0, "the columns should scroll inside the calendar"
    await screenshot(small, "calendar-resources-phone-ar")
