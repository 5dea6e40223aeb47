"""Admins manage doctors and rooms in /app/resources: every field of a resource (names in Arabic and English,
active, the types it takes, working days and hours, hours on particular days, slot length, capacity, its own
leave) is set from the page, read back into the form, changed and cleared; a bad schedule is refused with the
server's message and writes nothing; the page fits a phone in Arabic."""
from __future__ import annotations

from tests.dashboard.conftest import BROWSER_TESTS, browser, chromium, live_server, screenshot, sign_in  # noqa: F401

pytestmark = BROWSER_TESTS
FORM = "#resource-form"


def stored(server, resource_id: int) -> dict:
    with server.api("viewer") as api:
        answer = api.get(f"/resources/{resource_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]


async def set_checked(page, selector: str, checked: bool) -> None:
    await page.set_checked(f"{FORM} {selector}", checked)


async def test_an_admin_sets_edits_and_clears_every_field_of_a_resource(live_server, browser):  # noqa: F811
    live_server.require("GET /resources", "POST /resources", "PATCH /resources/{resource_id}")
    page = await sign_in(await browser(), live_server, "admin", "/app/resources")
    await page.click("#resource-add")
    await page.fill(f"{FORM} input[name=name_en]", "Dr. Form")
    await page.fill(f"{FORM} input[name=name_ar]", "د. نموذج")
    await set_checked(page, 'input[name=type][value="0"]', False)
    await set_checked(page, "input[name=clinic_days]", False)
    for day in ("0", "1", "2"):
        await set_checked(page, f'input[name=day][value="{day}"]', True)
    await page.fill(f"{FORM} input[name=start_time]", "09:00")
    await page.fill(f"{FORM} input[name=end_time]", "13:00")
    await page.fill(f'{FORM} .day-hours-row[data-day="1"] input[name=day_start]', "10:00")
    await page.fill(f'{FORM} .day-hours-row[data-day="1"] input[name=day_end]', "12:00")
    await page.fill(f"{FORM} input[name=slot_duration_minutes]", "30")
    await page.fill(f"{FORM} input[name=capacity]", "2")
    await page.fill(f"{FORM} input[name=position]", "4")
    await page.click("#resource-add-leave")
    await page.fill(f"{FORM} .leave-row input[name=leave_start]", "2027-03-01")
    await page.fill(f"{FORM} .leave-row input[name=leave_end]", "2027-03-05")
    await page.fill(f"{FORM} .leave-row input[name=title]", "Congress")
    await page.click("#resource-save")
    row = 'tr:has(b:text-is("Dr. Form"))'
    await page.wait_for_selector(row)
    resource_id = int(await page.get_attribute(row, "data-resource"))
    created = stored(live_server, resource_id)
    assert {k: v for k, v in created.items() if k != "id"} == {
        "name_ar": "د. نموذج", "name_en": "Dr. Form", "active": True, "position": 4, "is_default": False,
        "reservation_types": [1], "working_days": [0, 1, 2],
        "working_hours": {"start_time": "09:00", "end_time": "13:00"},
        "day_specific_hours": [{"day_of_week": 1, "start_time": "10:00", "end_time": "12:00"}],
        "slot_duration_minutes": 30, "capacity": 2,
        "vacations": [{"start": "2027-03-01", "end": "2027-03-05", "title": "Congress"}]}
    await screenshot(page, "resources-admin")

    # the form reads the resource back as stored
    await page.click(f"{row} .edit")
    assert await page.input_value(f"{FORM} input[name=start_time]") == "09:00"
    assert await page.input_value(f'{FORM} .day-hours-row[data-day="1"] input[name=day_end]') == "12:00"
    assert await page.input_value(f"{FORM} input[name=capacity]") == "2"
    assert not await page.is_checked(f'{FORM} input[name=type][value="0"]')
    assert await page.is_checked(f'{FORM} input[name=day][value="2"]')
    assert not await page.is_checked(f"{FORM} input[name=clinic_days]")
    assert await page.input_value(f"{FORM} .leave-row input[name=title]") == "Congress"

    # a schedule that ends before it starts is refused with the server's message, and nothing is written
    await page.fill(f"{FORM} input[name=end_time]", "08:00")
    await page.click("#resource-save")
    await page.wait_for_selector("#resource-error:not([hidden])")
    assert (await page.text_content("#resource-error")).startswith("body.working_hours")
    assert stored(live_server, resource_id) == created

    # change and clear: a new name, switched off, both types, the clinic's days, hours and capacity again,
    # Monday's own hours removed, the leave replaced
    await page.fill(f"{FORM} input[name=name_en]", "Dr. Form Two")
    await set_checked(page, "input[name=active]", False)
    await set_checked(page, 'input[name=type][value="0"]', True)
    await set_checked(page, "input[name=clinic_days]", True)
    await page.fill(f"{FORM} input[name=start_time]", "")
    await page.fill(f"{FORM} input[name=end_time]", "")
    await page.click(f'{FORM} .day-hours-row[data-day="1"] button')
    await page.fill(f'{FORM} .day-hours-row[data-day="6"] input[name=day_start]', "16:00")
    await page.fill(f'{FORM} .day-hours-row[data-day="6"] input[name=day_end]', "18:00")
    await page.fill(f"{FORM} input[name=capacity]", "")
    await page.click(f"{FORM} .leave-row button")
    await page.click("#resource-add-leave")
    await page.fill(f"{FORM} .leave-row input[name=leave_start]", "2027-04-10")
    await page.fill(f"{FORM} .leave-row input[name=leave_end]", "2027-04-10")
    await page.click("#resource-save")
    await page.wait_for_selector('tr:has(b:text-is("Dr. Form Two")) .inactive')
    assert stored(live_server, resource_id) == {
        **created, "name_en": "Dr. Form Two", "active": False, "reservation_types": None, "working_days": None,
        "working_hours": None, "day_specific_hours": [{"day_of_week": 6, "start_time": "16:00", "end_time": "18:00"}],
        "capacity": None, "vacations": [{"start": "2027-04-10", "end": "2027-04-10", "title": None}]}

    # another admin's change shows without a reload
    with live_server.api("admin") as api:
        assert api.patch(f"/resources/{resource_id}", json={"name_en": "Dr. Form Live"}).status_code == 200
    await page.wait_for_selector('tr:has(b:text-is("Dr. Form Live"))')

    # Arabic on a phone: the page and the open dialog fit the screen
    phone = await browser(width=390, height=844)
    await phone.add_cookies([{"name": "mawid_lang", "value": "ar", "url": live_server.url}])
    small = await sign_in(phone, live_server, "admin", "/app/resources")
    await small.wait_for_selector(f'tr[data-resource="{resource_id}"]')
    assert await small.text_content("#resource-add") == "إضافة طبيب أو غرفة"
    overflow = await small.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the resources page is {overflow}px wider than a phone screen"
    await small.click(f'tr[data-resource="{resource_id}"] .edit')
    await small.wait_for_selector("#resource-dialog[open]")
    inside = await small.eval_on_selector("#resource-dialog", "d => d.scrollWidth - d.clientWidth")
    assert inside <= 1, f"the resource dialog is {inside}px wider than itself on a phone"
    box = await small.eval_on_selector("#resource-dialog", "d => d.getBoundingClientRect().right")
    assert box <= 390, "the resource dialog runs off a phone screen"
    await screenshot(small, "resources-admin-phone-ar")
