"""The reference's reservation counters move with the operations (spec 60 §6.2)."""
from __future__ import annotations

from aioprometheus.renderer import render

from actors.reservation import operations
from runtime.metrics import REGISTRY


def sample(name: str, labels: str = "") -> float:
    body, _ = render(REGISTRY, [])
    for line in body.decode().splitlines():
        if line.startswith(name + labels + " ") or (not labels and line.startswith(name + " ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_counters(services):
    before = {n: sample(n) for n in ("reservations_requested_total", "reservations_successful_total",
                                     "reservations_cancellation_requested_total",
                                     "reservations_modification_requested_total")}
    made = await operations.reserve_time_slot(services, "966501234567", "Sara", "2025-06-02", "11:00", 0)
    await operations.reserve_time_slot(services, "966501234568", "Omar", "2025-06-06", "11:00", 0)
    await operations.modify_reservation(services, "966501234567", new_name="Sara A")
    await operations.cancel_reservation(services, "966501234567",
                                        reservation_id_to_cancel=made["data"]["reservation_id"])
    assert sample("reservations_requested_total") == before["reservations_requested_total"] + 2
    assert sample("reservations_successful_total") == before["reservations_successful_total"] + 1
    assert sample("reservations_modification_requested_total") == (
        before["reservations_modification_requested_total"] + 1)
    assert sample("reservations_cancellation_requested_total") == (
        before["reservations_cancellation_requested_total"] + 1)
    body = render(REGISTRY, [])[0].decode()
    assert 'reservations_failed_by_reason_total{' in body and 'reason="non_working_day"' in body
    assert "reservations_failed_total 0" in body
