"""Where Mawid deliberately answers differently from the reference on adopted legacy rows.

Each entry turns the reference's recorded answer into the answer Mawid must give,
and says why (spec/README.md: fix what corrupts data; keep every wire shape).
Nothing here changes a shape: only legacy values and orders the spec fixes.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Callable

from actors.adoption import rules


@dataclass(frozen=True)
class Difference:
    name: str
    reason: str
    applies: Callable[[dict], bool]
    apply: Callable[[Any, "Truth", Any], Any]  # (reference body, truth, Mawid's body) -> expected body


@dataclass
class Truth:
    """Facts read from the adopted database, for fixes whose value the answer cannot carry."""

    last_user_message_at: dict[str, str | None]
    histories: dict[str, list[dict]]  # full histories of the recorded answers, times rendered HH:MM:SS
    # /phone/all messages date ranges: (from, to) -> wa_ids with a user message dated in the range
    message_range_members: dict[tuple[str, str], set[str]]


def _walk(value: Any, visit: Callable[[dict], None]) -> None:
    if isinstance(value, dict):
        visit(value)
        for item in value.values():
            _walk(item, visit)
    elif isinstance(value, list):
        for item in value:
            _walk(item, visit)


def _slot_24h(body: Any, _: Truth, actual: Any = None) -> Any:
    def visit(item: dict) -> None:
        if isinstance(item.get("time_slot"), str):
            item["time_slot"] = rules.slot_time(item["time_slot"]).strftime("%H:%M")
    _walk(body, visit)
    return body


def _message_time(body: Any, _: Truth, actual: Any = None) -> Any:
    def visit(item: dict) -> None:
        if "date" in item and isinstance(item.get("time"), str):
            item["time"] = rules.clock_time(item["time"]).isoformat()
    _walk(body, visit)
    return body


def chronological(messages: list[dict], newest_first: bool = False) -> list[dict]:
    """Typed order: by (date, time), undated rows last (first when newest first, as PostgreSQL
    sorts NULLs). Rows sharing a date and time keep a canonical order: the answer carries no id."""
    dated = sorted((m for m in messages if m["date"] is not None),
                   key=lambda m: (m["date"], m["time"], m["role"], m["message"] or ""), reverse=newest_first)
    undated = sorted((m for m in messages if m["date"] is None), key=lambda m: (m["role"], m["message"] or ""))
    return undated + dated if newest_first else dated + undated


def _history_order(body: Any, _: Truth, actual: Any = None) -> Any:
    for wa_id, messages in (body.get("data") or {}).items():
        if isinstance(messages, list):
            body["data"][wa_id] = chronological(messages)
    return body


def _newest_n(body: Any, truth: Truth, actual: Any = None) -> Any:
    for wa_id, messages in (body.get("data") or {}).items():
        if wa_id in truth.histories:
            body["data"][wa_id] = chronological(truth.histories[wa_id], newest_first=True)[:len(messages)]
    return body


def tie_canonical(messages: list[dict]) -> list[dict]:
    """Order rows that share a date and time canonically (their relative order is by id, which the
    answers do not carry); the order between different times is left as it is."""
    out: list[dict] = []
    for message in messages:
        if out and (out[-1]["date"], out[-1]["time"]) == (message["date"], message["time"]):
            group_start = len(out) - 1
            while group_start > 0 and (out[group_start - 1]["date"], out[group_start - 1]["time"]) == (
                    message["date"], message["time"]):
                group_start -= 1
            out.append(message)
            out[group_start:] = sorted(out[group_start:], key=lambda m: (m["role"], m["message"] or ""))
        else:
            out.append(message)
    return out


def _last_message_at(body: Any, truth: Truth, actual: Any = None) -> Any:
    def visit(item: dict) -> None:
        if "last_message_at" in item and "wa_id" in item:
            item["last_message_at"] = truth.last_user_message_at.get(item["wa_id"])
    _walk(body, visit)
    return body


def _typed_message_range(body: Any, truth: Truth, actual: Any = None) -> Any:
    query = truth_query(body)
    members = truth.message_range_members[query]
    recorded = {item["wa_id"] for item in body["data"]}
    added = [item for item in (actual or {}).get("data", []) if item.get("wa_id") in members - recorded]
    if {item["wa_id"] for item in added} != members - recorded:
        return body  # Mawid lacks a customer the typed filter includes: let the comparison show it
    body["data"] = [item for item in body["data"] if item["wa_id"] in members]
    # place the added customers where Mawid's (unchanged) directory order puts them
    order = {item["wa_id"]: i for i, item in enumerate(actual["data"])}
    body["data"] = sorted(body["data"] + added, key=lambda item: order.get(item["wa_id"], len(order)))
    body["pagination"]["total"] = len(members)
    return body


def truth_query(body: Any) -> tuple[str, str]:
    return body["_replay_range"]


def _search_order(body: Any, truth: Truth, actual: Any = None) -> Any:
    items = body.get("data")
    if isinstance(items, list):
        newest_first = sorted(items, key=lambda i: i["last_message_at"] or "", reverse=True)
        undated_last = [i for i in newest_first if i["last_message_at"]] + [
            i for i in newest_first if not i["last_message_at"]]
        body["data"] = sorted(undated_last, key=lambda i: -i["similarity"])  # stable: ties keep the date order
    return body


def canonical_order(path: str, body: Any) -> Any:
    """Lists whose order carries no meaning on the dashboard and follows from the fixed message order:
    /stats `messageHeatmap` lists (weekday, hour) cells in the order the messages were first seen, and
    the reference saw them in string order ('10:34 PM' before '11:06'). The dashboard keys the cells.
    Likewise `wordFrequency` (and per role): words with equal counts are in first-seen order, so within a
    count they are compared as a set, and at the top-50 cut-off only how many tied words made it counts."""
    if path == "/stats" and isinstance(body, dict) and isinstance(body.get("data"), dict):
        data = body["data"]
        cells = data.get("messageHeatmap")
        if isinstance(cells, list):
            data["messageHeatmap"] = sorted(cells, key=lambda c: (str(c.get("weekday")), c.get("hour", 0)))
        if isinstance(data.get("wordFrequency"), list):
            data["wordFrequency"] = _ties_as_sets(data["wordFrequency"])
        if isinstance(data.get("wordFrequencyByRole"), dict):
            data["wordFrequencyByRole"] = {role: _ties_as_sets(words) if isinstance(words, list) else words
                                           for role, words in data["wordFrequencyByRole"].items()}
    return body


WORDS_CAP = 50


def _ties_as_sets(words: list) -> list:
    if not all(isinstance(w, dict) and "count" in w and "word" in w for w in words):
        return words
    ordered = sorted(words, key=lambda w: (-w["count"], str(w["word"])))
    if len(words) >= WORDS_CAP and ordered:
        cut = ordered[-1]["count"]
        ordered = [w if w["count"] != cut else {"word": "<tied at the cut-off>", "count": cut} for w in ordered]
    return ordered


LEGACY_VACATION = {"start": "2026-03-20T00:00:00+03:00", "end": "2026-03-24T00:00:00+03:00",
                   "title": "إجازة عيد الفطر", "duration": 5}


def _legacy_vacation_listed(body: Any, _: Truth, actual: Any = None) -> Any:
    return [LEGACY_VACATION, *body]


def _is(*paths: str) -> Callable[[dict], bool]:
    return lambda answer: any(answer["path"] == p or (p.endswith("*") and answer["path"].startswith(p[:-1]))
                              for p in paths)


def _full_history(answer: dict) -> bool:
    return answer["path"].startswith("/conversations/") and "calendar" not in answer["path"] \
        and "limit" not in answer["query"]


DIFFERENCES = [
    Difference(
        "time_slot rendered HH:MM",
        "spec 05 Q4/§5.3: slot_time is a typed time; legacy 12-hour slots ('1:00 PM') are served as "
        "the 24-hour 'HH:MM' every current row uses (the reference's own /stats already parses them)",
        _is("/reservations", "/customers/*"), _slot_24h),
    Difference(
        "message time rendered HH:MM:SS",
        "spec 05 Q4/§5.2: local_time is a typed time(0); legacy 'HH:MM' and 'h:MM AM/PM' message times are "
        "served as 'HH:MM:SS' (recommended there: the reference's own parsers reject the old forms)",
        _is("/conversations/*", "/customers/*"), _message_time),
    Difference(
        "histories in chronological order",
        "spec 05 Q4/Q7: readers sort by (local_date, local_time, id); the reference sorted the strings, "
        "so '11:00 PM' came before '9:00 PM' for 48 customers",
        _full_history, _history_order),
    Difference(
        "newest N in chronological order",
        "same fix as above for `limit=N` (newest N): chosen by typed date and time, not by string",
        lambda a: a["path"].startswith("/conversations/") and "limit" in a["query"], _newest_n),
    Difference(
        "last_message_at is the latest user message",
        "spec 05 Q4: the reference took the string maximum and parsed only HH:MM:SS (null for 115 customers, "
        "sometimes not the latest message); Mawid reports the true latest user message",
        _is("/phone/search", "/phone/all"), _last_message_at),
    Difference(
        "search ties ordered by the true latest message",
        "follows from the fix above: /phone/search orders by similarity, then by last user message (newest "
        "first, none last), so customers with equal similarity move when their last message time is fixed",
        _is("/phone/search"), _search_order),
    Difference(
        "message date ranges compare typed values",
        "spec 05 Q4 (range filters): the reference compared `date || ' ' || time` strings with "
        "'YYYY-MM-DD HH:MM:SS' bounds, so a customer whose in-range messages had 12-hour times ('9:00 PM' sorts "
        "after '23:59:59') was missing; Mawid filters on typed dates and includes them",
        lambda a: a["path"] == "/phone/all" and a["query"].get("date_range_type") == "messages",
        _typed_message_range),
    Difference(
        "legacy duration_days vacation listed",
        "spec 05 §5.4: end_date is backfilled from duration_days (2026-03-20 + 5 days), which the reference's "
        "own booking checks already honoured; /vacations therefore lists it instead of hiding it",
        _is("/vacations"), _legacy_vacation_listed),
]


def expected_answer(answer: dict, truth: Truth, actual: Any = None) -> tuple[Any, list[str]]:
    """The answer Mawid must give, and the names of the differences applied."""
    body = copy.deepcopy(answer["response"])
    query = answer["query"]
    if "date_from" in query and isinstance(body, dict):
        body["_replay_range"] = (query["date_from"], query.get("date_to", query["date_from"]))
    applied = []
    for difference in DIFFERENCES:
        if difference.applies(answer):
            before = copy.deepcopy(body)
            body = difference.apply(body, truth, actual)
            if body != before:
                applied.append(difference.name)
    if isinstance(body, dict):
        body.pop("_replay_range", None)
    return body, applied


def align_floats(actual: Any, expected: Any) -> Any:
    """Numbers within 1e-6 (relative) of the reference's count as equal: `similarity` is a float4
    (the reference's driver printed it as '0.6', asyncpg widens it to 0.6000000238…) and averages
    may differ in the last digit by summation order. Neither is observable on the dashboard."""
    if isinstance(actual, float) and isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return expected if math.isclose(actual, expected, rel_tol=1e-6) else actual
    if isinstance(actual, dict) and isinstance(expected, dict):
        return {k: align_floats(v, expected[k]) if k in expected else v for k, v in actual.items()}
    if isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected):
        return [align_floats(a, e) for a, e in zip(actual, expected)]
    return actual
