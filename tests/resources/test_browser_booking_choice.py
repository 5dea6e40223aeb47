"""With several resources the calendar's booking dialog offers a doctor/room choice: "Any" and each active
resource taking the chosen type, in the page's language; the times offered are the chosen resource's (for
"Any", those any candidate offers), and the booking lands on it (or where the server's "any" rule puts it);
an edited booking can be moved to another resource. On first load the resource columns wait for their plan
(a loading note, no slot) instead of showing the clinic's hours."""
from __future__ import annotations

from tests.dashboard.conftest import BROWSER_TESTS, browser, chromium, hold_requests, live_server, sign_in  # noqa: F401
from tests.dashboard.test_browser_calendar import chip, working_day
from tests.dashboard.test_browser_calendar_hours import sign_in_without_waiting
from tests.resources.test_browser_schedule import add_resources, column, slot_times, where

pytestmark = BROWSER_TESTS
OPTIONS = "#booking-form select[name=resource] option"
TIMES = "#booking-form select[name=time] option"


def takers(server, reservation_type: int, day: str) -> tuple[list[dict], list[str]]:
    """The active resources taking the type, in display order, and the slots any of them offers on `day`."""
    with server.api("admin") as api:
        resources = [r for r in api.get("/resources").json()["data"]
                     if r["active"] and (r["reservation_types"] is None or reservation_type in r["reservation_types"])]
        plans = api.get("/resources/schedule", params={"from_date": day, "to_date": day}).json()["data"]
    ids = {r["id"] for r in resources}
    slots = {s for plan in plans if plan["resource_id"] in ids for s in plan["days"][0]["slots"]}
    return resources, sorted(slots)


async def values(page, selector: str) -> list[str]:
    return await page.eval_on_selector_all(selector, "o => o.map(x => x.value)")


async def labels(page, selector: str) -> list[str]:
    return await page.eval_on_selector_all(selector, "o => o.map(x => x.textContent)")


async def test_the_booking_dialog_chooses_a_resource_and_offers_its_times(live_server, browser):  # noqa: F811
    live_server.require("GET /resources/schedule", "POST /resources", "POST /reserve")
    day = working_day(16)
    checkup, dawn = add_resources(
        live_server,
        {"name_ar": "د. فحص", "name_en": "Dr. Checkup", "reservation_types": [0], "slot_duration_minutes": 60,
         "working_hours": {"start_time": "08:00", "end_time": "12:00"}},
        {"name_ar": "د. فجر", "name_en": "Dr. Dawn", "slot_duration_minutes": 60,
         "working_hours": {"start_time": "06:15", "end_time": "08:15"}})
    page = await sign_in(await browser(), live_server, "staff", f"/app/calendar?view=day&date={day}")
    await page.click("#new-booking")
    assert await page.is_visible("#booking-resource-box")
    for_checkups, any_checkup_time = takers(live_server, 0, day)
    assert await values(page, OPTIONS) == ["", *(str(r["id"]) for r in for_checkups)]
    assert await labels(page, OPTIONS) == ["Any", *(r["name_en"] for r in for_checkups)]
    assert await page.input_value("#booking-form select[name=resource]") == ""
    assert await values(page, TIMES) == any_checkup_time

    # a resource's own times; a type it does not take drops it from the choice (back to "Any")
    await page.select_option("#booking-form select[name=resource]", str(checkup))
    assert await values(page, TIMES) == ["08:00", "09:00", "10:00", "11:00"]
    await page.select_option("#booking-form select[name=type]", "1")
    for_followups, any_followup_time = takers(live_server, 1, day)
    assert str(checkup) not in await values(page, OPTIONS)
    assert await values(page, OPTIONS) == ["", *(str(r["id"]) for r in for_followups)]
    assert await page.input_value("#booking-form select[name=resource]") == ""
    assert await values(page, TIMES) == any_followup_time and "06:15" in any_followup_time
    await page.select_option("#booking-form select[name=resource]", str(dawn))
    assert await values(page, TIMES) == ["06:15", "07:15"]

    # "Any" at a time only Dr. Dawn offers: the server's rule books it with Dr. Dawn
    await page.select_option("#booking-form select[name=resource]", "")
    await page.select_option("#booking-form select[name=time]", "06:15")
    await page.fill("#booking-form input[name=wa_id]", "+966 50 000 0741")
    await page.fill("#booking-form input[name=name]", "Any Patient")
    await page.click("#booking-save")
    await page.wait_for_selector(chip("Any Patient", "06:15"))
    assert await where(live_server.database_url, "966500000741") == (dawn, "06:15")

    # a chosen resource: the booking lands on it
    await page.click("#new-booking")
    await page.select_option("#booking-form select[name=resource]", str(checkup))
    await page.select_option("#booking-form select[name=time]", "10:00")
    await page.fill("#booking-form input[name=wa_id]", "+966 50 000 0742")
    await page.fill("#booking-form input[name=name]", "Chosen Patient")
    await page.click("#booking-save")
    await page.wait_for_selector(chip("Chosen Patient", "10:00"))
    assert await where(live_server.database_url, "966500000742") == (checkup, "10:00")

    # editing offers no "Any", starts on the booking's resource, and moves it to another one with its times
    await page.click(chip("Chosen Patient", "10:00"))
    assert "" not in await values(page, OPTIONS)
    assert await page.input_value("#booking-form select[name=resource]") == str(checkup)
    assert await page.input_value("#booking-form select[name=time]") == "10:00"
    await page.select_option("#booking-form select[name=resource]", str(dawn))
    assert await values(page, TIMES) == ["06:15", "07:15"]
    await page.select_option("#booking-form select[name=time]", "07:15")
    await page.click("#booking-save")
    await page.wait_for_selector(chip("Chosen Patient", "07:15"))
    assert await where(live_server.database_url, "966500000742") == (dawn, "07:15")

    # in Arabic the choice names the resources in Arabic
    arabic = await browser()
    await arabic.add_cookies([{"name": "mawid_lang", "value": "ar", "url": live_server.url}])
    page_ar = await sign_in(arabic, live_server, "staff", f"/app/calendar?view=day&date={day}")
    await page_ar.click("#new-booking")
    assert await labels(page_ar, OPTIONS) == ["أي طبيب", *(r["name_ar"] for r in for_checkups)]


async def test_resource_columns_wait_for_their_plan_on_first_load(live_server, browser):  # noqa: F811
    live_server.require("GET /resources/schedule", "POST /resources")
    day = working_day(17)
    (early,) = add_resources(live_server, {"name_ar": "د. بكور", "name_en": "Dr. Dawnly", "slot_duration_minutes": 30,
                                           "working_hours": {"start_time": "07:00", "end_time": "08:00"}})
    context = await browser()
    release = await hold_requests(context, "**/resources/schedule?*")
    page = await sign_in_without_waiting(context, live_server, f"/app/calendar?view=resources&date={day}")
    await page.wait_for_selector(f'{column(early)}[data-loading="true"] .loading-note')
    assert await page.locator("#calendar .slot").count() == 0, "no column shows slots before its plan is known"
    release.set()
    await page.wait_for_selector(f'{column(early)} .slot[data-time="07:30"]')
    assert await slot_times(page, column(early)) == ["07:00", "07:30"]
    assert await page.locator("#calendar [data-loading]").count() == 0

    # a schedule that cannot be read: the columns say so, still without a guessed slot
    broken = await browser()
    await broken.route("**/resources/schedule?*", lambda route: route.fulfill(status=503, json={"detail": "down"}))
    failing = await sign_in(broken, live_server, "staff", f"/app/calendar?view=resources&date={day}")
    assert await failing.text_content(f"{column(early)} .loading-note") == "Could not load the schedule"
    assert await failing.locator("#calendar .slot").count() == 0
