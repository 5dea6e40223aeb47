"""The offline assistant's waitlist knows the resources (through the WhatsApp webhook): a patient who names a
doctor (in the waitlist request, or earlier in the dialogue) is offered that doctor's full days and waits for
that doctor only, and the reply says so; "any doctor" or no name waits for any; a one-resource clinic's texts are
the ones it always had."""
from __future__ import annotations

from datetime import date

from actors.assistant.offline.texts import DAY_NAMES
from actors.reservation import operations
from runtime.config import load_config
from tests.ops.support import running_services
from tests.whatsapp.conftest import wa_env  # noqa: F401  (fixture)
from tests.whatsapp.test_offline_assistant import say
from tests.whatsapp.waitlist_support import clock, fill_day, open_day

NAMING, EARLIER, ARABIC, ANY = "966507771001", "966507771002", "966507771003", "966507771004"
ONE_RESOURCE = "966507771005"


async def _two_doctors(db) -> dict[str, int]:
    """Dr. Lina (08:00-10:00 in hours, check-ups only) and Dr. Omar (the clinic's hours); the clinic's own
    resource is switched off."""
    await db.execute("INSERT INTO resources (id, name_ar, name_en, is_default, active)"
                     " VALUES (1, 'العيادة', 'Clinic', true, false)")
    ids = {name: await db.fetchval("INSERT INTO resources (name_ar, name_en, capacity, position)"
                                   " VALUES ($1, $2, 1, $3) RETURNING id", ar, name, position)
           for position, (name, ar) in enumerate((("Dr. Lina", "د. لينا"), ("Dr. Omar", "د. عمر")))}
    await db.execute("UPDATE resources SET start_time = '08:00', end_time = '10:00', slot_duration_minutes = 60,"
                     " reservation_types = '{0}' WHERE id = $1", ids["Dr. Lina"])
    return ids


async def _fill_lina(env, db, lina: int) -> date:
    """Every slot of a coming day of Dr. Lina booked (Dr. Omar stays free that day): the day she is full."""
    async with running_services(load_config(env)) as services:
        found = await operations.search_available_appointments(services, days_forward=7, resource="Dr. Lina")
    days = found["data"]["appointments"]
    chosen = next(d for d in days if d["gregorian_date"] > days[0]["gregorian_date"])
    day = date.fromisoformat(chosen["gregorian_date"])
    for n, slot in enumerate(chosen["time_slots"]):
        wa_id = f"96650777200{n}"
        await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, 'Booked')", wa_id)
        await db.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type, status, resource_id)"
                         " VALUES ($1, $2, $3, 0, 'active', $4)", wa_id, day, clock(slot["time_slot"]), lina)
    return day


def _label(day: date, lang: str = "en") -> str:
    return f"{DAY_NAMES[lang][day.weekday()]} {day.isoformat()}"


async def _entries(db, wa_id: str) -> list[tuple[date, int | None, int]]:
    return [(r["slot_date"], r["resource_id"], r["reservation_type"]) for r in await db.fetch(
        "SELECT slot_date, resource_id, reservation_type FROM waitlist_entries WHERE wa_id = $1 ORDER BY id", wa_id)]


async def test_a_named_doctor_is_waited_for_and_the_reply_names_them(wa_env, servers, graph, db):  # noqa: F811
    ids = await _two_doctors(db)
    lina = ids["Dr. Lina"]
    full = await _fill_lina(wa_env, db, lina)
    server = servers(wa_env)

    # named in the request: only Dr. Lina's full day is listed (the clinic is not full: Dr. Omar is free)
    listed = await say(server, graph, NAMING, "Put me on the waitlist for Dr. Lina")
    assert listed == ("These days are full with Dr. Lina. Choose one to join Dr. Lina's waitlist; we will message "
                      f"you if a place opens.\n1. {_label(full)}")
    assert await say(server, graph, NAMING, "1") == "What kind of visit is it?\n1. Check-up\n2. Follow-up"
    joined = await say(server, graph, NAMING, "1")
    assert joined == (f"You are on the waitlist for {_label(full)} with Dr. Lina. We will message you if a place "
                      "opens with Dr. Lina.")
    assert await _entries(db, NAMING) == [(full, lina, 0)]
    # joined: the next request without a name waits for any doctor, and no day is full for the clinic
    assert await say(server, graph, NAMING, "6") == "No day is full in the coming week: reply 2 to book."

    # named earlier in the dialogue: asked for her free times, then the waitlist by its number
    assert (await say(server, graph, EARLIER, "free slots with Dr. Lina")).startswith("Free appointments:")
    listed = await say(server, graph, EARLIER, "6")
    assert listed.startswith("These days are full with Dr. Lina.") and listed.endswith(f"\n1. {_label(full)}")
    await say(server, graph, EARLIER, "1")
    # she takes check-ups only: a follow-up is not put on her list
    refused = await say(server, graph, EARLIER, "2")
    assert refused == "Sorry, Dr. Lina does not take this kind of visit. Reply 6 to wait for any doctor."
    assert await _entries(db, EARLIER) == []

    # in Arabic, the doctor's Arabic name
    listed = await say(server, graph, ARABIC, "قائمة الانتظار مع د. لينا")
    assert listed == ("هذه الأيام ممتلئة لدى د. لينا. اختر يوماً للانضمام إلى قائمة انتظار د. لينا، وسنراسلك إذا توفر "
                      f"موعد.\n1. {_label(full, 'ar')}")
    await say(server, graph, ARABIC, "1")
    joined = await say(server, graph, ARABIC, "1")
    assert joined == f"أنت في قائمة الانتظار ليوم {_label(full, 'ar')} لدى د. لينا. سنراسلك إذا توفر موعد لدى د. لينا."
    assert await _entries(db, ARABIC) == [(full, lina, 0)]

    # "any doctor" after naming one waits for any: the clinic has no full day
    await say(server, graph, ANY, "free slots with Dr. Lina")
    assert await say(server, graph, ANY, "waitlist any doctor") == (
        "No day is full in the coming week: reply 2 to book.")


async def test_one_resource_waitlist_dialogue_keeps_its_texts(wa_env, servers, graph, db):  # noqa: F811
    day, slots = await open_day(wa_env)
    await fill_day(db, day, slots)
    server = servers(wa_env)
    listed = await say(server, graph, ONE_RESOURCE, "waitlist with Dr. Lina")  # no such doctor: the clinic's list
    assert listed.startswith("These days are full. Choose one to join its waitlist; we will message you if a place "
                             "opens.\n1. ")
    number = next(line.split(".")[0] for line in listed.split("\n")[1:] if line.endswith(day.isoformat()))
    assert await say(server, graph, ONE_RESOURCE, number) == "What kind of visit is it?\n1. Check-up\n2. Follow-up"
    joined = await say(server, graph, ONE_RESOURCE, "2")
    assert joined == f"You are on the waitlist for {_label(day)}. We will message you if a place opens."
    assert await _entries(db, ONE_RESOURCE) == [(day, None, 1)]

