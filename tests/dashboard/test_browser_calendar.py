"""The calendar in two browsers: a booking made in one appears live in the other; move, cancel, undo;
the connection-lost banner and resuming after a drop; a viewer cannot edit."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.dashboard.conftest import BROWSER_TESTS, live, screenshot, sign_in, wait_until

pytestmark = BROWSER_TESTS

CALENDAR_ROUTES = ("POST /auth/jwt/login", "GET /ws", "GET /reservations", "POST /reserve", "GET /customers/names")


def working_day(days_ahead: int = 1) -> str:
    """The `days_ahead`-th day from today (business zone) with the clinic's default hours (10:00-16:00): Friday
    (closed) and Saturday (16:00-22:00) are not counted, so whatever day the suite runs on, the day has those
    hours and different arguments give different days."""
    day = datetime.now(ZoneInfo("Asia/Riyadh")).date()
    while days_ahead > 0:
        day += timedelta(days=1)
        days_ahead -= day.weekday() not in (4, 5)
    return day.isoformat()


def chip(name: str, time: str | None = None) -> str:
    where = f'.slot[data-time="{time}"] ' if time else ""
    return f'{where}.event:has-text("{name}")'


async def open_day(context, server, who: str, day: str):
    return await sign_in(context, server, who, f"/app/calendar?view=day&date={day}")


async def test_booking_in_one_browser_appears_live_in_another_then_move_cancel_and_undo(live_server, browser):
    live_server.require(*CALENDAR_ROUTES, "POST /reservations/{wa_id}/modify", "POST /reservations/{wa_id}/cancel",
                        "POST /undo-cancel")
    day = working_day()
    secretary = await open_day(await browser(), live_server, "staff", day)
    colleague = await open_day(await browser(), live_server, "staff2", day)
    await live(colleague)
    times = await secretary.eval_on_selector_all(".slot.bookable", "cells => cells.map(c => c.dataset.time)")
    assert len(times) >= 2, times
    first, second = times[0], times[1]

    # Book from an empty slot.
    await secretary.click(f'.slot[data-time="{first}"] .slot-time')  # the empty part of the slot
    await secretary.fill("#booking-form input[name=wa_id]", "+966 50 123 4567")
    await secretary.fill("#booking-form input[name=name]", "Sara Live")
    await secretary.click("#booking-save")
    await secretary.wait_for_selector(".toast.success")
    await colleague.wait_for_selector(chip("Sara Live", first))
    await screenshot(colleague, "calendar-live-booking")

    # Move it to the next slot through the dialog; the other browser follows.
    await secretary.click(chip("Sara Live", first))
    await secretary.select_option("#booking-form select[name=time]", second)
    await secretary.click("#booking-save")
    await colleague.wait_for_selector(chip("Sara Live", second))
    await colleague.wait_for_selector(chip("Sara Live", first), state="detached")

    # Undo the move from the toast.
    await secretary.click('.toast:has-text("Moved") .toast-action')
    await colleague.wait_for_selector(chip("Sara Live", first))
    await colleague.wait_for_selector(chip("Sara Live", second), state="detached")
    await secretary.wait_for_selector(chip("Sara Live", first))

    # Cancel, then undo the cancellation.
    await secretary.click(chip("Sara Live", first))
    await secretary.click("#booking-cancel-reservation")
    await colleague.wait_for_selector(chip("Sara Live"), state="detached")
    await secretary.click('.toast:has-text("Cancelled") .toast-action')
    await colleague.wait_for_selector(chip("Sara Live", first))
    await screenshot(secretary, "calendar-after-undo")

    with live_server.api("staff") as api:
        items = api.get("/reservations", params={"from_date": day, "to_date": day}).json()["data"]["966501234567"]
    assert [(r["date"], r["time_slot"], r["cancelled"]) for r in items] == [(day, first, False)]


async def test_drag_and_drop_moves_a_booking(live_server, browser):
    live_server.require(*CALENDAR_ROUTES, "POST /reservations/{wa_id}/modify")
    day = working_day(2)
    with live_server.api("staff") as api:
        page = await open_day(await browser(), live_server, "staff", day)
        times = await page.eval_on_selector_all(".slot.bookable", "cells => cells.map(c => c.dataset.time)")
        booked = api.post("/reserve", json={"id": "966507654321", "title": "Drag Me", "date": day,
                                            "time": times[0], "type": 1, "_call_source": "frontend"}).json()
        assert booked["success"], booked
    await page.wait_for_selector(chip("Drag Me", times[0]))  # arrived live
    await page.drag_and_drop(chip("Drag Me", times[0]), f'.slot[data-time="{times[-1]}"]')
    await page.wait_for_selector(chip("Drag Me", times[-1]))
    await page.wait_for_selector(".toast.success")


async def test_a_reread_that_changes_nothing_leaves_the_chips_in_place(live_server, browser):
    """The page draws a live booking at once and re-reads the day after: that redraw (the same on screen)
    must not replace the chip a user may be pressing at that moment; a real change still shows."""
    live_server.require(*CALENDAR_ROUTES, "POST /reservations/{wa_id}/modify")
    day = working_day(4)
    page = await open_day(await browser(), live_server, "staff", day)
    await live(page)
    times = await page.eval_on_selector_all(".slot.bookable", "cells => cells.map(c => c.dataset.time)")
    with live_server.api("staff") as api:
        assert api.post("/reserve", json={"id": "966507654324", "title": "Stays Put", "date": day,
                                          "time": times[0], "type": 1, "_call_source": "frontend"}).json()["success"]
        drawn = await page.wait_for_selector(chip("Stays Put", times[0]))
        async with page.expect_response(lambda r: "/reminders/confirmations?" in r.url):  # the re-read's last read
            await page.evaluate("window.mawidRealtime.dispatchEvent(new CustomEvent('reconnected'))")
        await page.wait_for_timeout(300)  # its redraw
        assert await drawn.evaluate("c => c.isConnected"), "a re-read that changed nothing replaced the chip"
        assert api.post("/reservations/966507654324/modify", json={"new_date": day, "new_time_slot": times[-1],
                                                                        "new_type": 1}).json()["success"]
    await page.wait_for_selector(chip("Stays Put", times[-1]))
    await page.wait_for_selector(chip("Stays Put", times[0]), state="detached")


async def test_a_live_update_during_a_drag_does_not_lose_the_drop(live_server, browser):
    live_server.require(*CALENDAR_ROUTES, "POST /reservations/{wa_id}/modify")
    day = working_day(5)
    reread = lambda r: "/reservations?" in r.url and r.request.method == "GET"  # noqa: E731
    with live_server.api("staff") as api:
        page = await open_day(await browser(), live_server, "staff", day)
        await live(page)
        times = await page.eval_on_selector_all(".slot.bookable", "cells => cells.map(c => c.dataset.time)")
        assert len(times) >= 2, times
        async with page.expect_response(reread):  # the booking arrives live and the day is re-read
            booked = api.post("/reserve", json={"id": "966507654322", "title": "Held Drag", "date": day,
                                                "time": times[0], "type": 1, "_call_source": "frontend"})
            assert booked.json()["success"]
        await page.wait_for_selector(chip("Held Drag", times[0]))
        await page.wait_for_timeout(300)  # that re-read's redraw
        # the chip is pressed...
        await page.hover(chip("Held Drag", times[0]))
        await page.mouse.down()
        pressed = await page.query_selector(chip("Held Drag", times[0]))
        # ...another booking arrives live and the page re-reads the day...
        async with page.expect_response(reread):
            meanwhile = api.post("/reserve", json={"id": "966507654323", "title": "Meanwhile", "date": day,
                                                   "time": times[0], "type": 1, "_call_source": "frontend"})
            assert meanwhile.json()["success"]
        await page.wait_for_timeout(300)  # the re-read's redraw would land here
        assert await pressed.evaluate("c => c.isConnected"), "a redraw replaced the pressed chip"
        # ...then it is dragged to the last slot and dropped
        await page.hover(f'.slot[data-time="{times[-1]}"]')
        await page.hover(f'.slot[data-time="{times[-1]}"]', position={"x": 5, "y": 5})
        await page.mouse.up()
    await page.wait_for_selector(chip("Held Drag", times[-1]))  # the drop was not lost
    await page.wait_for_selector(chip("Meanwhile", times[0]))  # and the update is drawn after it
    with live_server.api("staff") as api:
        items = api.get("/reservations", params={"from_date": day, "to_date": day}).json()["data"]["966507654322"]
    assert [(r["time_slot"], r["cancelled"]) for r in items] == [(times[-1], False)]


async def test_a_dropped_connection_shows_a_banner_and_resumes_with_what_was_missed(live_server, browser):
    live_server.require(*CALENDAR_ROUTES)
    day = working_day(3)
    page = await open_day(await browser(), live_server, "staff", day)
    await wait_until(page, "window.mawidRealtime.online && window.mawidRealtime.lastSeq !== null")
    times = await page.eval_on_selector_all(".slot.bookable", "cells => cells.map(c => c.dataset.time)")
    await page.evaluate("""window.mawidRealtime.on('reservation_created',
        (m) => (window.seenEvents = window.seenEvents || []).push(m))""")

    await page.evaluate("window.mawidRealtime.stop()")
    await page.wait_for_selector("#conn-banner:not([hidden])")
    await screenshot(page, "calendar-offline-banner")
    with live_server.api("staff") as api:
        booked = api.post("/reserve", json={"id": "966509998877", "title": "While Away", "date": day,
                                            "time": times[0], "type": 0, "_call_source": "assistant"}).json()
        assert booked["success"], booked
    assert not await page.query_selector(chip("While Away"))

    await page.evaluate("window.mawidRealtime.connect()")
    await page.wait_for_selector(chip("While Away", times[0]))
    await page.wait_for_selector("#conn-banner", state="hidden")
    # The missed event itself was replayed after `?since=`, with its sequence number.
    replayed = [m for m in await page.evaluate("window.seenEvents") if m["data"]["wa_id"] == "966509998877"]
    assert [m["data"]["date"] for m in replayed] == [day]
    assert isinstance(replayed[0]["seq"], int)


async def test_a_viewer_sees_the_calendar_but_cannot_change_it(live_server, browser):
    live_server.require(*CALENDAR_ROUTES, "GET /phone/all")
    day = working_day()
    with live_server.api("staff") as api:
        page_times = ["11:00", "13:00", "15:00", "16:00", "18:00", "20:00", "10:00", "12:00", "14:00"]
        for time in page_times:
            booked = api.post("/reserve", json={"id": "966501112223", "title": "Read Only", "date": day,
                                                "time": time, "type": 0, "_call_source": "frontend"}).json()
            if booked["success"]:
                break
        assert booked["success"], booked
    page = await open_day(await browser(), live_server, "viewer", day)
    await page.wait_for_selector(chip("Read Only"))
    assert await page.query_selector("#new-booking") is None
    assert await page.query_selector(".slot.bookable") is None
    assert await page.query_selector("#vacation-form") is None
    assert await page.get_attribute(chip("Read Only"), "draggable") is None
    await page.click(chip("Read Only"))
    assert await page.is_hidden("#booking-save")
    assert await page.is_disabled("#booking-form select[name=time]")
    await screenshot(page, "calendar-viewer")
    # Even a hand-made request from the page is refused by the server.
    status = await page.evaluate("""async () => (await fetch('/reserve', {method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({id: '966501112223', title: 'x', date: '2030-01-01', time: '11:00', type: 0})})).status""")
    assert status == 403
    customers = await page.context.new_page()
    await customers.goto(f"{live_server.url}/app/customers")
    await customers.wait_for_selector("body[data-ready=true]")
    toggles = await customers.query_selector_all("button.toggle")
    assert toggles and all([await toggle.is_disabled() for toggle in toggles])


async def test_vacations_are_shown_edited_live_and_undone(live_server, browser):
    live_server.require(*CALENDAR_ROUTES, "GET /vacations")
    day = working_day(6)
    secretary = await open_day(await browser(), live_server, "staff", day)
    colleague = await open_day(await browser(), live_server, "staff2", day)
    await live(colleague)
    await secretary.fill("#vacation-form input[name=start]", day)
    await secretary.fill("#vacation-form input[name=end]", day)
    await secretary.fill("#vacation-form input[name=title]", "Eid holiday")
    await secretary.click("#vacation-form button[type=submit]")
    await colleague.wait_for_selector(f'.day.on-vacation[data-date="{day}"]')
    await colleague.wait_for_selector('#vacation-list li:has-text("Eid holiday")')
    # A closed day offers nothing to book.
    assert await secretary.query_selector(f'.day[data-date="{day}"] .slot.bookable') is None
    await screenshot(colleague, "calendar-vacation")
    await secretary.click('.toast:has-text("Vacations") .toast-action')
    await colleague.wait_for_selector(f'.day.on-vacation[data-date="{day}"]', state="detached")
    with live_server.api("staff") as api:
        assert api.get("/vacations").json() in ([], {"success": True, "data": []})


async def test_when_the_server_cannot_replay_the_page_reloads_from_rest(live_server, browser):
    live_server.require(*CALENDAR_ROUTES)
    day = working_day(4)
    page = await open_day(await browser(), live_server, "staff", day)
    await wait_until(page, "window.mawidRealtime.online && window.mawidRealtime.lastSeq !== null")
    times = await page.eval_on_selector_all(".slot.bookable", "cells => cells.map(c => c.dataset.time)")
    await page.evaluate("window.mawidRealtime.stop()")
    with live_server.api("staff") as api:
        booked = api.post("/reserve", json={"id": "966508887766", "title": "After Resync", "date": day,
                                            "time": times[-1], "type": 0, "_call_source": "assistant"}).json()
        assert booked["success"], booked
    # A position the server never issued (as after a database restore): it answers `resync`.
    await page.evaluate("window.mawidRealtime.lastSeq = 10 ** 9; window.mawidRealtime.lastEventSeq = 10 ** 9;"
                        "window.mawidRealtime.connect()")
    await page.wait_for_selector(chip("After Resync", times[-1]))
    position = await page.evaluate("window.mawidRealtime.lastSeq")
    assert position < 10 ** 9
    # Later events are applied again, with the server's numbering.
    with live_server.api("staff") as api:
        moved = api.post("/reservations/966508887766/modify", json={"new_date": day, "new_time_slot": times[0],
                                                                    "_call_source": "assistant"}).json()
        assert moved["success"], moved
    await page.wait_for_selector(chip("After Resync", times[0]))
