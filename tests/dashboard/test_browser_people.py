"""Customers and conversations in Chromium: Arabic search, favorite and block live, chat with typing,
and the simulator booking that lands on another browser's calendar."""
from __future__ import annotations

import re

import asyncpg

from tests.dashboard.conftest import BROWSER_TESTS, live, screenshot, sign_in, wait_until
from tests.dashboard.test_browser_calendar import working_day

pytestmark = BROWSER_TESTS

CUSTOMERS = {
    "966500000101": "أحمد العتيبي",
    "966500000102": "Sara Smith",
    "966500000103": "محمد القحطاني",
}


def seed_customers(server) -> None:
    """Customers with a message each, made through the API as any client would."""
    with server.api("staff") as api:
        for wa_id, name in CUSTOMERS.items():
            stored = api.post(f"/conversations/{wa_id}", json={"role": "user", "message": "السلام عليكم",
                                                              "date": "2026-01-05", "time": "10:00:00"})
            assert stored.status_code == 200, stored.text
            named = api.put(f"/customers/{wa_id}", json={"name": name})
            assert named.json().get("success"), named.text


async def test_search_a_customer_in_arabic_and_favorite_them_live(live_server, browser):
    live_server.require("POST /auth/jwt/login", "GET /phone/search", "GET /phone/all", "PUT /customers/{wa_id}",
                        "POST /conversations/{wa_id}", "POST /customers/{wa_id}/favorite",
                        "POST /customers/{wa_id}/block")
    seed_customers(live_server)
    secretary_context = await browser(locale="ar")
    page = await sign_in(secretary_context, live_server, "staff", "/app/customers")
    await page.goto(f"{live_server.url}/app/lang/ar?next=/app/customers")
    await page.wait_for_selector("html[dir=rtl] body[data-ready=true]")
    colleague = await sign_in(await browser(), live_server, "staff2", "/app/customers")
    await live(colleague)

    # "احمد" without the hamza finds "أحمد" (the reference's Arabic normalisation).
    await page.fill("#customer-search", "احمد")
    # Best match first; the directory of every customer (Sara included) is gone.
    await wait_until(page, "(ids => ids[0] === '966500000101' && !ids.includes('966500000102'))"
                           "([...document.querySelectorAll('#customer-rows tr')].map(r => r.dataset.waId))")
    assert await page.inner_text("#customer-rows .customer-name") == "أحمد العتيبي"
    await screenshot(page, "customers-search-ar")

    await page.fill("#customer-search", "0102")
    await wait_until(page, "[...document.querySelectorAll('#customer-rows tr')].map(r => r.dataset.waId).join()"
                           " === '966500000102'")

    await page.fill("#customer-search", "")
    await page.wait_for_selector('#customer-rows tr[data-wa-id="966500000103"]')
    favorite = '#customer-rows tr[data-wa-id="966500000103"] button[data-field=is_favorite]'
    blocked = '#customer-rows tr[data-wa-id="966500000103"] button[data-field=is_blocked]'
    await page.click(favorite)
    await colleague.wait_for_selector(f'{favorite}[aria-pressed="true"]')
    await page.click(blocked)
    await colleague.wait_for_selector(f'{blocked}[aria-pressed="true"]')
    await page.click(blocked)
    await colleague.wait_for_selector(f'{blocked}[aria-pressed="false"]')
    await screenshot(colleague, "customers-live-toggles")


async def test_chat_live_between_two_secretaries_with_typing_and_unread(live_server, browser):
    live_server.require("POST /auth/jwt/login", "GET /phone/recent", "GET /conversations/{wa_id}",
                        "POST /conversations/{wa_id}", "PUT /customers/{wa_id}", "POST /whatsapp/message",
                        "POST /webhook")
    seed_customers(live_server)
    first = await sign_in(await browser(), live_server, "staff", "/app/conversations")
    await first.wait_for_selector('#conv-list li[data-wa-id="966500000101"]')
    second = await sign_in(await browser(), live_server, "staff2", "/app/conversations?wa_id=966500000101")
    await second.wait_for_selector("#chat-messages li.user")

    # A customer writes (through the signed webhook): the first secretary sees it as unread.
    with live_server.api("staff") as api:
        sent = api.post("/app/api/simulator/message", json={"wa_id": "966500000102", "name": "Sara Smith",
                                                             "text": "hello, is tomorrow possible?"})
        assert sent.json()["success"], sent.text
    await first.wait_for_selector('#conv-list li.unread[data-wa-id="966500000102"]')
    await screenshot(first, "conversations-unread")

    await first.click('#conv-list li[data-wa-id="966500000101"] button')
    await first.wait_for_selector("#chat-messages li.user")
    await first.type("#chat-input", "أهلاً، ")
    await second.wait_for_selector("#chat-typing:not([hidden])")
    await first.fill("#chat-input", "أهلاً، موعدك غداً الساعة 11")
    await first.press("#chat-input", "Enter")
    await second.wait_for_selector('#chat-messages li.secretary:has-text("موعدك غداً")')
    await first.wait_for_selector('#chat-messages li.secretary:has-text("موعدك غداً")')
    await second.wait_for_selector("#chat-typing", state="hidden")
    await screenshot(second, "conversations-chat")


async def test_chat_in_the_simulator_and_watch_the_booking_arrive_on_the_calendar(live_server, browser):
    live_server.require("POST /auth/jwt/login", "POST /webhook", "GET /conversations/{wa_id}", "GET /reservations",
                        "POST /app/api/simulator/message")
    customer = await sign_in(await browser(), live_server, "staff", "/app/simulator")
    await customer.fill("#sim-wa-id", "966512345670")
    await customer.fill("#sim-name", "Sim Customer")
    await customer.dispatch_event("#sim-wa-id", "change")

    async def say(text: str, expect_replies: int) -> str:
        await customer.fill("#sim-input", text)
        await customer.press("#sim-input", "Enter")
        replies = f"document.querySelectorAll('#sim-messages li.assistant').length >= {expect_replies}"
        await wait_until(customer, replies, within=30)
        return (await customer.inner_text(f"#sim-messages li.assistant >> nth={expect_replies - 1}")).strip()

    offer = await say("2", 1)  # "2. Book an appointment" in the offline assistant's menu
    found = re.search(r"1\. \S+ (\d{4}-\d{2}-\d{2})", offer)
    assert found, offer
    day = found.group(1)
    calendar = await sign_in(await browser(), live_server, "staff2", f"/app/calendar?view=day&date={day}")
    await live(calendar)

    answer = await say("1", 2)
    replies = 2
    if "name" in answer.lower():
        replies += 1
        answer = await say("Sim Customer", replies)
    replies += 1
    booked = await say("1", replies)  # 1. Check-up
    assert day in booked, booked
    await calendar.wait_for_selector('.event[data-wa-id="966512345670"]')
    await customer.wait_for_selector(".sim-booking")
    # The assistant's booking is news for the other secretary: the bell counts it and lists it.
    await calendar.wait_for_selector("#bell-count:not([hidden])")
    await calendar.click("#bell")
    await calendar.wait_for_selector(f'#bell-list li[data-type="reservation_created"]:has-text("{day}")')
    await screenshot(calendar, "notifications-panel")
    await screenshot(customer, "simulator-conversation")
    await screenshot(calendar, "simulator-booking-on-calendar")


async def test_the_directory_pages_through_many_customers(live_server, browser):
    live_server.require("POST /auth/jwt/login", "GET /phone/all")
    conn = await asyncpg.connect(live_server.database_url)
    try:
        await conn.copy_records_to_table("customers", records=[(f"9665990{n:05d}", f"Bulk {n:03d}")
                                                                for n in range(130)],
                                         columns=["wa_id", "customer_name"])
    finally:
        await conn.close()
    page = await sign_in(await browser(), live_server, "viewer", "/app/customers")
    await page.wait_for_selector("#customer-more:not([hidden])")
    assert len(await page.query_selector_all("#customer-rows tr")) == 100
    await page.click("#customer-more")
    await wait_until(page, "document.querySelectorAll('#customer-rows tr').length > 100")
    listed = len(await page.query_selector_all("#customer-rows tr"))
    assert (await page.inner_text("#customer-count")).startswith(f"{listed} / ")


async def sideways(page) -> int:
    """How many pixels the page is wider than the screen (what a phone would scroll sideways)."""
    return await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


async def test_a_long_name_never_widens_a_page_on_a_phone(live_server, browser):
    live_server.require("POST /auth/jwt/login", "GET /phone/search", "PUT /customers/{wa_id}",
                        "POST /conversations/{wa_id}", "POST /reserve")
    wa_id, name = "966500000199", "عبدالرحمنبنعبدالعزيزالمطيريالقحطانيالعتيبي" + "Abdulrahman" * 3
    with live_server.api("staff") as api:
        assert api.post(f"/conversations/{wa_id}", json={"role": "user", "message": "hi"}).status_code == 200
        assert api.put(f"/customers/{wa_id}", json={"name": name}).json().get("success")
    page = await sign_in(await browser(width=390, height=844), live_server, "staff", "/app/customers")
    await page.fill("#customer-search", wa_id)  # found whatever other tests left in the directory
    await page.wait_for_selector(f'#customer-rows tr:has-text("{wa_id}")')
    assert await sideways(page) <= 1, f"the customers page is {await sideways(page)}px wider than a phone screen"
    await page.goto(f"{live_server.url}/app/conversations?wa_id={wa_id}")
    await page.wait_for_selector("body[data-ready=true]")
    await page.wait_for_selector(f'#chat-title:has-text("{wa_id}")')
    assert await sideways(page) <= 1, f"the conversations page is {await sideways(page)}px wider than a phone screen"
    day = working_day(6)
    with live_server.api("staff") as api:
        booked = api.post("/reserve", json={"id": wa_id, "title": name, "date": day, "time": "11:00", "type": 0,
                                            "_call_source": "frontend"}).json()
        assert booked["success"], booked
    await page.goto(f"{live_server.url}/app/calendar?view=day&date={day}")
    await page.wait_for_selector('.slot[data-time="11:00"] .event')
    assert await sideways(page) <= 1, f"the calendar is {await sideways(page)}px wider than a phone screen"
