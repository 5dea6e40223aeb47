// The calendar's booking dialog: book, change (date, time, type, name, and with several resources the doctor
// or room), cancel, and undo any of them with the toast's button; `move` is also what drag and drop calls. Times
// offered are the day's slots of the chosen resource (or, for "Any", of any resource that may take it) as the
// server plans them (calendar-plans.js).
import { t, h, isArabic } from './boot.js';
import { post, messageOf } from './api.js';
import { toast } from './shell.js';
import { resourceChoice } from './calendar-booking-resource.js';

const digits = (value) => String(value).replace(/[^0-9]/g, '');

export function bookingDialog({ store, canEdit, state, render, refreshSoon, plans }) {
  const dialog = document.getElementById('booking-dialog');
  const form = document.getElementById('booking-form');
  const errorBox = document.getElementById('booking-error');
  const choice = resourceChoice(form, state);
  let editing = null;
  const typeChosen = () => Number(form.elements.type.value);

  // The chosen resource's slots; for "Any" (or a clinic with one resource) any candidate's.
  function offeredOn(day) {
    const resourceId = choice.value();
    const plan = resourceId != null ? plans.of(resourceId, day) : plans.unionOf(day, choice.candidateIds(typeChosen()));
    return plan && !plan.off ? plan.slots : [];
  }

  // Keeps `selected` (else the current time) when it is still offered or is the booking's own; a day not
  // read yet is read first.
  async function fillTimes(selected = form.elements.time.value) {
    const day = form.elements.date.value;
    if (day && !plans.known(day)) await plans.ensure(day);
    const sameResource = choice.value() == null || choice.value() === editing?.resource_id;
    const own = editing && editing.date === day && sameResource ? editing.time_slot : null;
    const offered = offeredOn(day);
    const keep = selected && (offered.includes(selected) || selected === own) ? selected : offered[0];
    const times = [...new Set([...offered, ...(own ? [own] : []), ...(keep ? [keep] : [])])].sort();
    form.elements.time.replaceChildren(...times.map((time) => h('option', { value: time, selected: time === keep }, time)));
  }

  function openDialog(title) {
    errorBox.hidden = true;
    document.getElementById('booking-title').textContent = title;
    for (const el of form.elements) if (el.id !== 'booking-close') el.disabled = !canEdit;
    document.getElementById('booking-save').hidden = !canEdit;
    dialog.showModal();
  }

  // From a resource's column, or with the calendar filtered to one, that resource is chosen; else "Any".
  function openNew(day, time, resourceId = null) {
    editing = null;
    form.reset();
    form.elements.date.value = day;
    choice.fill(typeChosen(), resourceId ?? (state.resource ? Number(state.resource) : null));
    fillTimes(time);
    form.elements.wa_id.readOnly = false;
    document.getElementById('booking-cancel-reservation').hidden = true;
    openDialog(t('new_booking'));
  }

  function openEdit(reservation) {
    editing = reservation;
    form.reset();
    form.elements.wa_id.value = reservation.wa_id;
    form.elements.wa_id.readOnly = true;
    form.elements.name.value = store.nameOf(reservation.wa_id);
    form.elements.type.value = String(reservation.type);
    form.elements.date.value = reservation.date;
    choice.fill(reservation.type, reservation.resource_id, { editing: true });
    fillTimes(reservation.time_slot);
    document.getElementById('booking-cancel-reservation').hidden = !canEdit;
    openDialog(`${store.nameOf(reservation.wa_id)} · #${reservation.id}`);
  }

  form.elements.date.addEventListener('change', () => fillTimes());
  form.elements.resource.addEventListener('change', () => fillTimes());
  form.elements.type.addEventListener('change', () => {
    choice.fill(typeChosen(), choice.value() ?? (editing ? editing.resource_id : null), { editing: editing != null });
    fillTimes();
  });
  document.getElementById('booking-close').addEventListener('click', () => dialog.close());

  function fail(result) {
    errorBox.textContent = messageOf(result, t('failed'));
    errorBox.hidden = false;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!canEdit) return;
    const values = Object.fromEntries(new FormData(form));
    if (editing) {
      const name = values.name.trim();
      const resource = choice.value();
      const ok = await move(editing, { date: values.date, time: values.time, type: Number(values.type),
        name: name !== store.nameOf(editing.wa_id) ? name : undefined,
        resource: resource != null && resource !== editing.resource_id ? resource : undefined }, fail);
      if (ok) dialog.close();
      return;
    }
    const waId = digits(values.wa_id);
    const resource = choice.value();  // null: "Any", the server's rule picks (or the only resource)
    const result = await post('/reserve', {
      id: waId, title: values.name.trim(), date: values.date, time: values.time, type: Number(values.type),
      ar: isArabic, _call_source: 'frontend', ...(resource != null ? { resource } : {}),
    });
    if (!result.data?.success) { fail(result); return; }
    dialog.close();
    const id = result.data.data?.reservation_id;
    toast(`${t('booked')}: ${values.name} · ${values.date} ${values.time}`, {
      kind: 'success',
      action: id ? { label: t('undo'), run: () => undo(post(`/reservations/${waId}/cancel`, {
        reservation_id_to_cancel: id, ar: isArabic, _call_source: 'undo' })) } : null,
    });
    refreshSoon();
  });

  document.getElementById('booking-cancel-reservation').addEventListener('click', async () => {
    if (!editing || !canEdit) return;
    const reservation = editing;
    const result = await post(`/reservations/${reservation.wa_id}/cancel`, {
      reservation_id_to_cancel: reservation.id, ar: isArabic, _call_source: 'frontend' });
    if (!result.data?.success) { fail(result); return; }
    dialog.close();
    store.remove(reservation.id);
    render();
    toast(`${t('cancelled')}: ${store.nameOf(reservation.wa_id)}`, {
      action: { label: t('undo'), run: () => undo(post('/undo-cancel', { reservation_id: reservation.id, ar: isArabic })) },
    });
  });

  // `resource` (an id) moves the booking to that resource too; undo moves it back to its own.
  async function move(reservation, { date, time, type, name, resource }, onError = (r) => toast(messageOf(r, t('failed')), { kind: 'error' })) {
    const body = { new_date: date, new_time_slot: time, new_type: type, reservation_id_to_modify: reservation.id,
      approximate: false, hijri: false, ar: isArabic, _call_source: 'frontend' };
    if (name) body.new_name = name;
    if (resource != null) body.resource = resource;
    const result = await post(`/reservations/${reservation.wa_id}/modify`, body);
    if (!result.data?.success) { onError(result); return false; }
    const original = result.data.data?.original_data;
    const back = resource != null ? { resource: reservation.resource_id } : {};
    store.upsert({ ...reservation, date, time_slot: time, type, resource_id: resource ?? reservation.resource_id });
    render();
    toast(`${t('moved')}: ${store.nameOf(reservation.wa_id)} → ${date} ${time}`, {
      kind: 'success',
      action: original ? { label: t('undo'), run: () => undo(post(`/reservations/${original.wa_id || reservation.wa_id}/modify`, {
        new_date: original.date, new_time_slot: original.time_slot, new_type: original.type,
        new_name: original.customer_name || undefined, reservation_id_to_modify: reservation.id, approximate: false,
        hijri: false, max_reservations: 6, ar: isArabic, _call_source: 'undo', ...back })) } : null,
    });
    refreshSoon();
    return true;
  }

  async function undo(request) {
    const result = await request;
    toast(result.data?.success ? t('undone') : messageOf(result, t('failed')), { kind: result.data?.success ? 'success' : 'error' });
    refreshSoon();
  }

  return { openNew, openEdit, move };
}
