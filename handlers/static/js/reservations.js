// The calendar's local copy of reservations in the visible range, by id.
const ofResource = (r, resource) => resource == null || r.resource_id === resource;

export function reservationStore() {
  const byId = new Map();
  const names = new Map();
  return {
    replaceRange(from, to, grouped) {
      for (const [id, r] of byId) if (r.date >= from && r.date <= to) byId.delete(id);
      for (const [waId, items] of Object.entries(grouped)) {
        for (const item of items) {
          if (item.cancelled) continue;
          byId.set(Number(item.id), { id: Number(item.id), wa_id: waId, date: item.date, time_slot: item.time_slot,
            type: Number(item.type ?? 0), resource_id: item.resource_id ?? null });
        }
      }
    },
    upsert(r) { byId.set(r.id, r); },
    remove(id) { byId.delete(id); },
    removeCustomer(waId) { for (const [id, r] of byId) if (r.wa_id === waId) byId.delete(id); },
    byId(id) { return byId.get(id); },
    // `resource` (an id) narrows to one resource's bookings: the calendar's column per resource.
    at(day, time, resource = null) {
      return [...byId.values()].filter((r) => r.date === day && r.time_slot === time && ofResource(r, resource))
        .sort((a, b) => a.id - b.id);
    },
    timesOn(day, resource = null) {
      return [...byId.values()].filter((r) => r.date === day && ofResource(r, resource)).map((r) => r.time_slot);
    },
    // Every known customer gets an entry, even without a name, so it is not looked up again.
    setNames(map) { for (const [waId, c] of Object.entries(map)) names.set(waId, c?.customer_name || null); },
    setName(waId, name) { if (waId && name) names.set(waId, name); },
    nameOf(waId) { return names.get(waId) || waId; },
    hasName(waId) { return names.has(waId); },
  };
}
