"""The /app waitlist with several doctors: each entry shows the doctor it waits for (its name in the page's
language, "Any" for any), staff add an entry for a chosen doctor (Any, or each active one taking the visit type),
and the page fits a phone in Arabic."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from tests.dashboard.conftest import BROWSER_TESTS, browser, chromium, live_server, screenshot, sign_in  # noqa: F401

pytestmark = BROWSER_TESTS
ANY_WAITER, WAFA_WAITER, ADDED = "966500000761", "966500000762", "966500000763"


def _day(ahead: int) -> str:
    return (datetime.now(ZoneInfo("Asia/Riyadh")).date() + timedelta(days=ahead)).isoformat()


async def _seed(url: str, day: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        ids = {}
        for name_en, name_ar, types, active in (("Dr. Wafa", "د. وفاء", [0], True), ("Dr. Badr", "د. بدر", None, True),
                                                ("Dr. Away", "د. غائب", None, False)):
            ids[name_en] = await conn.fetchval(
                "INSERT INTO resources (name_ar, name_en, reservation_types, active) VALUES ($1, $2, $3, $4)"
                " RETURNING id", name_ar, name_en, types, active)
        for wa_id, name, resource in ((ANY_WAITER, "Any Waiter", None), (WAFA_WAITER, "Wafa Waiter", ids["Dr. Wafa"])):
            await conn.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2)", wa_id, name)
            await conn.execute("INSERT INTO waitlist_entries (wa_id, slot_date, resource_id)"
                               " VALUES ($1, $2::text::date, $3)", wa_id, day, resource)
        return ids
    finally:
        await conn.close()


def _row(wa_id: str) -> str:
    return f'#waitlist-rows tr[data-wa-id="{wa_id}"]'


async def _choices(page) -> list[str]:
    return [text.strip() for text in await page.locator("#waitlist-resource option").all_inner_texts()]


async def test_the_waitlist_shows_and_takes_each_entrys_doctor(live_server, browser):  # noqa: F811
    live_server.require("GET /waitlist", "POST /waitlist", "GET /resources")
    day = _day(3)
    ids = await _seed(live_server.database_url, day)
    page = await sign_in(await browser(), live_server, "staff", "/app/waitlist")
    await page.wait_for_selector(f"{_row(WAFA_WAITER)} td.waitlist-resource")
    assert await page.is_visible("#waitlist-resource-head")
    assert (await page.inner_text(f"{_row(ANY_WAITER)} td.waitlist-resource")).strip() == "Any"
    assert (await page.inner_text(f"{_row(WAFA_WAITER)} td.waitlist-resource")).strip() == "Dr. Wafa"

    # the choices: Any, then the active doctors taking the visit type (Dr. Wafa takes check-ups only)
    await page.wait_for_selector("#waitlist-resource-field:not([hidden])")
    checkup = await _choices(page)
    assert checkup[0] == "Any" and {"Dr. Wafa", "Dr. Badr"} <= set(checkup) and "Dr. Away" not in checkup
    await page.select_option("#waitlist-form select[name=reservation_type]", "1")
    follow_up = await _choices(page)
    assert "Dr. Badr" in follow_up and "Dr. Wafa" not in follow_up and "Dr. Away" not in follow_up
    await page.select_option("#waitlist-form select[name=reservation_type]", "0")

    await page.fill("#waitlist-form input[name=wa_id]", ADDED)
    await page.fill("#waitlist-form input[name=date]", day)
    await page.select_option("#waitlist-resource", str(ids["Dr. Wafa"]))
    await page.click("#waitlist-form button[type=submit]")
    await page.wait_for_selector(f'{_row(ADDED)} td.waitlist-resource:text-is("Dr. Wafa")')
    assert await page.is_hidden("#waitlist-error")
    await screenshot(page, "waitlist-resources")
    with live_server.api("viewer") as api:
        listed = api.get("/waitlist", params={"from": day, "to": day}).json()["data"]
    assert {e["wa_id"]: e["resource_id"] for e in listed if e["wa_id"] in (ANY_WAITER, WAFA_WAITER, ADDED)} == {
        ANY_WAITER: None, WAFA_WAITER: ids["Dr. Wafa"], ADDED: ids["Dr. Wafa"]}

    # Arabic on a phone: the names in Arabic, and the page fits the screen
    phone = await browser(width=390, height=844)
    await phone.add_cookies([{"name": "mawid_lang", "value": "ar", "url": live_server.url}])
    small = await sign_in(phone, live_server, "staff", "/app/waitlist")
    await small.wait_for_selector(f"{_row(WAFA_WAITER)} td.waitlist-resource")
    assert (await small.inner_text(f"{_row(WAFA_WAITER)} td.waitlist-resource")).strip() == "د. وفاء"
    assert (await small.inner_text(f"{_row(ANY_WAITER)} td.waitlist-resource")).strip() == "أي طبيب"
    assert "د. بدر" in await _choices(small)
    overflow = await small.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the waitlist page is {overflow}px wider than a phone screen"
    form = await small.eval_on_selector("#waitlist-form", "f => f.getBoundingClientRect().right - window.innerWidth")
    assert form <= 1, "the waitlist form runs off a phone screen"
    await screenshot(small, "waitlist-resources-phone-ar")
