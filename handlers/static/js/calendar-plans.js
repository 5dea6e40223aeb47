// What the calendar lays out: every resource's plan per day from GET /resources/schedule (its hours, slot
// length and days off as the booking rules compute them from the clinic's config and its own), and the
// clinic's day as the union of its active resources' plans — the slots something can be booked in. Nothing is
// hard-coded here: until a day's plans are read it is "not known", and the views show a loading state.
import { get, payload } from './api.js';
import { addDays } from './boot.js';

// A plan: { off, title, slots, slot_duration_minutes, capacity }.
export function resourcePlans() {
  const plans = new Map();  // `${resourceId}|${day}` -> plan
  const activeOn = new Map();  // day -> ids of the resources active then (switched-off ones plan nothing)
  let failed = false;  // the last read failed: a day not known says so rather than "loading"

  async function load(from, to) {
    try {
      const result = await get(`/resources/schedule?from_date=${from}&to_date=${to}`);
      failed = !result.ok;
      if (failed) return false;
      const resources = payload(result) || [];
      for (let day = from; day <= to; day = addDays(day, 1)) {
        activeOn.set(day, resources.filter((r) => r.active !== false).map((r) => r.resource_id));
      }
      for (const resource of resources) {
        for (const day of resource.days) {
          plans.set(`${resource.resource_id}|${day.date}`, { ...day, capacity: resource.capacity });
        }
      }
      return true;
    } catch { failed = true; return false; }
  }

  const of = (resourceId, day) => plans.get(`${resourceId}|${day}`) || null;

  // The day across `ids` (default: every active resource): the slots any of them offers; `off` only when
  // all are off (the reason they share, else "day_off"). Null while the day is not known.
  function unionOf(day, ids = null) {
    if (!activeOn.has(day)) return null;
    const dayPlans = (ids ?? activeOn.get(day)).map((id) => of(id, day)).filter(Boolean);
    const open = dayPlans.filter((plan) => !plan.off);
    if (!open.length) {
      const reasons = new Set(dayPlans.map((plan) => plan.off));
      const shared = reasons.size === 1 ? dayPlans[0] : null;
      return { off: shared?.off || 'day_off', title: shared?.title || null, slots: [] };
    }
    return { off: null, title: null, slots: [...new Set(open.flatMap((plan) => plan.slots))].sort() };
  }

  return {
    load,
    of,
    unionOf,
    known: (day) => activeOn.has(day),
    get failed() { return failed; },
    // For a dialog's date outside the shown range: read that day once.
    async ensure(day) { return activeOn.has(day) || load(day, day); },
  };
}
