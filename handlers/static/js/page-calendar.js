// Calendar: day and week views of reservations (with several resources also a day by resource);
// book, move (dialog or drag and drop), cancel, undo; vacations shown and edited. Live through /ws.
import { boot, t, h, debounce, addDays, todayLocal, formatDay, isArabic, parseDay } from './boot.js';
import { get, post, payload, messageOf, RouteMissing } from './api.js';
import { startShell, toast } from './shell.js';
import { slotsFor, inVacation } from './schedule.js';
import { reservationStore } from './reservations.js';
import { VacationPanel } from './calendar-vacations.js';
import { Confirmations } from './calendar-confirmations.js';
import { resourceColumns, resourceToolbar } from './calendar-resource-view.js';

const realtime = startShell();
const canEdit = boot.canEdit;
const calendar = document.getElementById('calendar');
const store = reservationStore();
const vacations = new VacationPanel(realtime, canEdit, () => render());
const confirmations = new Confirmations(realtime, () => render());
const wanted = new URLSearchParams(location.search);
const state = {
  view: ['day', 'week', 'resources'].includes(wanted.get('view')) ? wanted.get('view')
    : (matchMedia('(max-width: 700px)').matches ? 'day' : 'week'),
  anchor: /^\d{4}-\d{2}-\d{2}$/.test(wanted.get('date') || '') ? wanted.get('date') : todayLocal(),
  firstDay: 0,
  flash: new Set(),
  resource: '',  // a resource id: only its bookings (the filter shows with several resources)
  resources: [],  // the clinic's active resources, once there are several
};
const shown = (data) => !state.resource || data.resource_id == null || String(data.resource_id) === state.resource;

function range() {
  if (state.view !== 'week') return { from: state.anchor, to: state.anchor };
  const weekday = parseDay(state.anchor).getUTCDay();
  const from = addDays(state.anchor, -((weekday - state.firstDay + 7) % 7));
  return { from, to: addDays(from, 6) };
}

function days() {
  const { from, to } = range();
  const list = [];
  for (let d = from; d <= to; d = addDays(d, 1)) list.push(d);
  return list;
}

function notice(text) {
  calendar.replaceChildren(h('p', { class: 'notice' }, text));
}

async function loadReservations() {
  const { from, to } = range();
  try {
    const only = state.resource ? `&resource_id=${state.resource}` : '';
    const result = await get(`/reservations?future=false&include_cancelled=false&from_date=${from}&to_date=${to}${only}`);
    if (!result.ok || result.data?.success === false) { notice(messageOf(result)); return false; }
    const grouped = payload(result) || {};
    store.replaceRange(from, to, grouped);
    await confirmations.load(from, to);
    // A customer first seen here (booked while this page was away) needs its name.
    if (Object.keys(grouped).some((waId) => !store.hasName(waId))) await loadNames();
    return true;
  } catch (err) {
    if (err instanceof RouteMissing) notice(t('unavailable', { route: err.route }));
    return false;
  }
}

async function loadNames() {
  try {
    const result = await get('/customers/names');
    if (result.ok) store.setNames(payload(result) || {});
  } catch { /* names are cosmetic: the phone number is shown instead */ }
}

async function loadConfig() {
  try {
    const result = await get('/api/config');
    const config = result.ok ? (result.data?.data ?? result.data) : null;
    if (config && Number.isInteger(config.calendar_first_day)) state.firstDay = config.calendar_first_day;
  } catch { /* Sunday-first default */ }
}

async function refresh() {
  if (await loadReservations()) render();
}
const refreshSoon = debounce(refresh, 250);
// The hub drops a lower-priority reservation event that follows another within a second
// (spec 40 §7.2), so after any burst the visible range is re-read once it settles.
const reconcileSoon = debounce(refresh, 1500);

function eventChip(reservation) {
  const name = store.nameOf(reservation.wa_id);
  const confirmation = confirmations.stateOf(reservation.id);
  const chip = h('button', {
    type: 'button', class: `event type-${reservation.type}${state.flash.has(reservation.id) ? ' flash' : ''}`,
    draggable: canEdit ? 'true' : false,
    dataset: { id: reservation.id, waId: reservation.wa_id, confirmation },
    title: `${name} · ${reservation.wa_id} · ${t(`type_${reservation.type}`)} · ${t(`confirmation_${confirmation}`)}`,
    onclick: (e) => { e.stopPropagation(); openEdit(reservation); },
  }, h('span', { class: 'event-name' }, name), h('small', {}, t(`type_${reservation.type}`)),
  h('small', { class: `confirmation ${confirmation}` }, t(`confirmation_${confirmation}`)));
  if (canEdit) {
    chip.addEventListener('dragstart', (e) => { e.dataTransfer.setData('text/plain', String(reservation.id)); });
  }
  return chip;
}

// `resourceId` is set in the resource view: the slot is that resource's, and so is a booking made in it.
function slotCell(day, time, vacation, resourceId = null) {
  const items = store.at(day, time, resourceId);
  const cell = h('div', { class: 'slot', dataset: { date: day, time } },
    h('span', { class: 'slot-time' }, time), ...items.map(eventChip));
  if (canEdit && !vacation) {
    cell.classList.add('bookable');
    cell.addEventListener('click', () => openNew(day, time, resourceId));
    cell.addEventListener('dragover', (e) => { e.preventDefault(); cell.classList.add('drop'); });
    cell.addEventListener('dragleave', () => cell.classList.remove('drop'));
    cell.addEventListener('drop', (e) => {
      e.preventDefault();
      cell.classList.remove('drop');
      const reservation = store.byId(Number(e.dataTransfer.getData('text/plain')));
      if (!reservation) return;
      // A move keeps the booking's resource (the modify route has no resource to change it to).
      if (resourceId != null && reservation.resource_id != null && reservation.resource_id !== resourceId) {
        toast(t('other_resource_move'), { kind: 'error' });
        return;
      }
      move(reservation, { date: day, time, type: reservation.type });
    });
  }
  return cell;
}

function render() {
  const { from, to } = range();
  document.getElementById('cal-range').textContent = from === to
    ? formatDay(from, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
    : `${formatDay(from)} – ${formatDay(to)}`;
  for (const button of document.querySelectorAll('[data-view]')) {
    button.setAttribute('aria-pressed', String(button.dataset.view === state.view));
  }
  const today = todayLocal();
  calendar.className = `calendar view-${state.view}`;
  if (state.view === 'resources') {
    const resources = state.resources.filter((r) => !state.resource || String(r.id) === state.resource);
    calendar.replaceChildren(...resourceColumns({ day: from, resources, store, slotsFor, today, slotCell,
      vacation: inVacation(from, vacations.periods) }));
    return;
  }
  calendar.replaceChildren(...days().map((day) => {
    const vacation = inVacation(day, vacations.periods);
    const times = [...new Set([...slotsFor(day), ...store.timesOn(day)])].sort();
    const column = h('div', { class: `day${day === today ? ' today' : ''}${vacation ? ' on-vacation' : ''}`, dataset: { date: day } },
      h('h3', { class: 'day-head' }, formatDay(day)));
    if (vacation) column.append(h('p', { class: 'vacation-note' }, `${t('vacation')}${vacation.title ? `: ${vacation.title}` : ''}`));
    if (!times.length) column.append(h('p', { class: 'closed-note' }, t('closed')));
    for (const time of times) column.append(slotCell(day, time, vacation));
    return column;
  }));
}

// --- booking dialog --------------------------------------------------------------------------
const dialog = document.getElementById('booking-dialog');
const form = document.getElementById('booking-form');
const errorBox = document.getElementById('booking-error');
let editing = null;

function fillTimes(day, selected) {
  const select = form.elements.time;
  const times = [...new Set([...slotsFor(day), ...(selected ? [selected] : [])])].sort();
  select.replaceChildren(...times.map((time) => h('option', { value: time, selected: time === selected }, time)));
}

function openDialog(title) {
  errorBox.hidden = true;
  document.getElementById('booking-title').textContent = title;
  for (const el of form.elements) if (el.id !== 'booking-close') el.disabled = !canEdit;
  document.getElementById('booking-save').hidden = !canEdit;
  dialog.showModal();
}

let bookingResource = null;  // the resource column a new booking was started from
function openNew(day, time, resourceId = null) {
  editing = null;
  bookingResource = resourceId;
  form.reset();
  form.elements.date.value = day;
  fillTimes(day, time);
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
  fillTimes(reservation.date, reservation.time_slot);
  document.getElementById('booking-cancel-reservation').hidden = !canEdit;
  openDialog(`${store.nameOf(reservation.wa_id)} · #${reservation.id}`);
}

form.elements.date.addEventListener('change', () => fillTimes(form.elements.date.value, form.elements.time.value));
document.getElementById('booking-close').addEventListener('click', () => dialog.close());

function fail(result) {
  errorBox.textContent = messageOf(result, t('failed'));
  errorBox.hidden = false;
}

function digits(value) { return String(value).replace(/[^0-9]/g, ''); }

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!canEdit) return;
  const values = Object.fromEntries(new FormData(form));
  if (editing) {
    const name = values.name.trim();
    const ok = await move(editing, { date: values.date, time: values.time, type: Number(values.type),
      name: name !== store.nameOf(editing.wa_id) ? name : undefined }, fail);
    if (ok) dialog.close();
    return;
  }
  const waId = digits(values.wa_id);
  const result = await post('/reserve', {
    id: waId, title: values.name.trim(), date: values.date, time: values.time, type: Number(values.type),
    ar: isArabic, _call_source: 'frontend', ...(bookingResource != null ? { resource: bookingResource }
      : state.resource ? { resource: Number(state.resource) } : {}),
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

async function move(reservation, { date, time, type, name }, onError = (r) => toast(messageOf(r, t('failed')), { kind: 'error' })) {
  const body = { new_date: date, new_time_slot: time, new_type: type, reservation_id_to_modify: reservation.id,
    approximate: false, hijri: false, ar: isArabic, _call_source: 'frontend' };
  if (name) body.new_name = name;
  const result = await post(`/reservations/${reservation.wa_id}/modify`, body);
  if (!result.data?.success) { onError(result); return false; }
  const original = result.data.data?.original_data;
  store.upsert({ ...reservation, date, time_slot: time, type });
  render();
  toast(`${t('moved')}: ${store.nameOf(reservation.wa_id)} → ${date} ${time}`, {
    kind: 'success',
    action: original ? { label: t('undo'), run: () => undo(post(`/reservations/${original.wa_id || reservation.wa_id}/modify`, {
      new_date: original.date, new_time_slot: original.time_slot, new_type: original.type,
      new_name: original.customer_name || undefined, reservation_id_to_modify: reservation.id, approximate: false,
      hijri: false, max_reservations: 6, ar: isArabic, _call_source: 'undo' })) } : null,
  });
  refreshSoon();
  return true;
}

async function undo(request) {
  const result = await request;
  toast(result.data?.success ? t('undone') : messageOf(result, t('failed')), { kind: result.data?.success ? 'success' : 'error' });
  refreshSoon();
}

// --- toolbar -------------------------------------------------------------------------------------
function remember() {
  history.replaceState(null, '', `?view=${state.view}&date=${state.anchor}`);
}
function go(step) {
  state.anchor = step === 0 ? todayLocal() : addDays(state.anchor, step * (state.view === 'week' ? 7 : 1));
  remember();
  render();
  refresh();
}
document.getElementById('cal-prev').addEventListener('click', () => go(-1));
document.getElementById('cal-next').addEventListener('click', () => go(1));
document.getElementById('cal-today').addEventListener('click', () => go(0));
for (const button of document.querySelectorAll('[data-view]')) {
  button.addEventListener('click', () => { state.view = button.dataset.view; remember(); render(); refresh(); });
}
const newBooking = document.getElementById('new-booking');
if (newBooking) newBooking.addEventListener('click', () => openNew(state.anchor, slotsFor(state.anchor)[0]));

// --- live ----------------------------------------------------------------------------------------
function flash(id) {
  state.flash.add(id);
  setTimeout(() => { state.flash.delete(id); render(); }, 4000);
}
for (const type of ['reservation_created', 'reservation_updated', 'reservation_reinstated']) {
  realtime.on(type, ({ data }) => {
    if (!data || data.id == null) { refreshSoon(); return; }
    if (data.customer_name) store.setName(data.wa_id, data.customer_name);
    const before = store.byId(Number(data.id));
    if (before && (before.date !== data.date || before.time_slot !== data.time_slot)) confirmations.moved(Number(data.id));
    if (!shown(data)) { store.remove(Number(data.id)); render(); return; }  // moved to another resource
    store.upsert({ id: Number(data.id), wa_id: data.wa_id, date: data.date, time_slot: data.time_slot,
      type: Number(data.type ?? 0), resource_id: data.resource_id ?? null });
    flash(Number(data.id));
    render();
    reconcileSoon();
  });
}
realtime.on('reservation_cancelled', ({ data }) => {
  if (data && data.id != null) store.remove(Number(data.id));
  else if (data && data.wa_id) store.removeCustomer(data.wa_id);
  render();
  reconcileSoon();
});
realtime.on('customer_updated', ({ data }) => { if (data?.wa_id) { store.setName(data.wa_id, data.customer_name || data.name); render(); } });
realtime.addEventListener('reconnected', () => { refresh(); vacations.load(); });

await Promise.all([loadConfig(), loadNames(), resourceToolbar(state, refresh)]);
render();
await Promise.all([refresh(), vacations.load()]);
document.body.dataset.ready = 'true';
