// Calendar: day and week views of reservations on the clinic's planned slots (with several resources also a
// day by resource and a resource's week, each column on that resource's own plan); book, move (dialog or drag
// and drop), cancel, undo; vacations shown and edited. Live through /ws, config and resource changes included.
import { boot, t, h, debounce, addDays, todayLocal, formatDay, parseDay } from './boot.js';
import { get, payload, messageOf, RouteMissing } from './api.js';
import { startShell } from './shell.js';
import { dayColumns, inVacation } from './calendar-day-view.js';
import { resourcePlans } from './calendar-plans.js';
import { reservationStore } from './reservations.js';
import { VacationPanel } from './calendar-vacations.js';
import { Confirmations } from './calendar-confirmations.js';
import { resourceColumns, resourceToolbar, resourceWeekColumns, weekResource } from './calendar-resource-view.js';
import { bookingDialog } from './calendar-booking.js';
import { resourceName } from './resources.js';

const realtime = startShell();
const canEdit = boot.canEdit;
const calendar = document.getElementById('calendar');
const store = reservationStore();
// A changed clinic vacation shows at once; the resources' plans (which include it) are re-read after.
const vacations = new VacationPanel(realtime, canEdit, () => { render(); refreshSoon(); });
const confirmations = new Confirmations(realtime, () => render());
const wanted = new URLSearchParams(location.search);
const VIEWS = ['day', 'week', 'resources', 'resource-week'];
const WEEKLY = new Set(['week', 'resource-week']);
const state = {
  view: VIEWS.includes(wanted.get('view')) ? wanted.get('view')
    : (matchMedia('(max-width: 700px)').matches ? 'day' : 'week'),
  anchor: /^\d{4}-\d{2}-\d{2}$/.test(wanted.get('date') || '') ? wanted.get('date') : todayLocal(),
  firstDay: 0,
  flash: new Set(),
  resource: wanted.get('resource') || '',  // a resource id: only its bookings (the filter shows with several)
  resources: [],  // the clinic's active resources, once there are several
  allResources: [],  // every resource, switched-off ones too (the filter and a resource's week)
};
const plans = resourcePlans();
// The resource the day or week view is filtered to (with several resources): its columns follow its plan.
const filteredTo = () => (state.allResources.length > 1 && state.allResources.find((r) => String(r.id) === state.resource)) || null;
const shown = (data) => !state.resource || data.resource_id == null || String(data.resource_id) === state.resource;

function range() {
  if (!WEEKLY.has(state.view)) return { from: state.anchor, to: state.anchor };
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
    await Promise.all([confirmations.load(from, to), plans.load(from, to)]);
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
    onclick: (e) => { e.stopPropagation(); openEdit(store.byId(reservation.id) || reservation); },
  }, h('span', { class: 'event-name' }, name), h('small', {}, t(`type_${reservation.type}`)),
  h('small', { class: `confirmation ${confirmation}` }, t(`confirmation_${confirmation}`)));
  if (canEdit) {
    chip.addEventListener('mousedown', () => { dragging = true; });
    chip.addEventListener('dragstart', (e) => { e.dataTransfer.setData('text/plain', String(reservation.id)); });
    chip.addEventListener('dragend', endDrag);
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
      // Dropped in another resource's column: the booking moves to that resource (its rules decide).
      const other = resourceId != null && reservation.resource_id != null && reservation.resource_id !== resourceId;
      move(reservation, { date: day, time, type: reservation.type, resource: other ? resourceId : undefined });
    });
  }
  return cell;
}

// A live update that redraws the calendar while a chip is pressed would detach it: pressed and then
// moved, it starts no drag (or the drag loses its source) and the drop never comes. From the press on a
// chip to its release (mouseup, or dragend after a drag), redraws wait.
let dragging = false;
let redrawHeld = false;
function endDrag() {
  dragging = false;
  if (redrawHeld) { redrawHeld = false; render(); }
}
document.addEventListener('mouseup', () => { if (dragging) endDrag(); });
window.addEventListener('blur', () => { if (dragging) endDrag(); });  // never left holding redraws

// A redraw replaces only the columns that changed. A live update or re-read that changes nothing on screen
// (the usual case: the page drew the event already, then re-reads the day) leaves every element in place, so a
// chip about to be pressed, pressed or dragged, a column's scroll and a running highlight are not disturbed.
function patch(columns) {
  const current = [...calendar.children];
  if (current.length !== columns.length) { calendar.replaceChildren(...columns); return; }
  columns.forEach((column, i) => { if (!current[i].isEqualNode(column)) current[i].replaceWith(column); });
}

function render() {
  if (dragging) { redrawHeld = true; return; }
  const { from, to } = range();
  const weekOf = state.view === 'resource-week' ? weekResource(state) : filteredTo();
  document.getElementById('cal-range').textContent = (weekOf ? `${resourceName(weekOf)} · ` : '') + (from === to
    ? formatDay(from, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
    : `${formatDay(from)} – ${formatDay(to)}`);
  const all = document.querySelector('#cal-resource option[value=""]');
  if (all) all.disabled = state.view === 'resource-week';  // a week by resource is always one resource's
  for (const button of document.querySelectorAll('[data-view]')) {
    button.setAttribute('aria-pressed', String(button.dataset.view === state.view));
  }
  const today = todayLocal();
  calendar.className = `calendar view-${state.view}`;
  const columnParts = { plans, store, today, slotCell };
  if (state.view === 'resources') {
    const resources = state.resources.filter((r) => !state.resource || String(r.id) === state.resource);
    patch(resourceColumns({ ...columnParts, day: from, resources, openWeek,
      vacation: inVacation(from, vacations.periods) }));
    return;
  }
  if (weekOf) {
    patch(resourceWeekColumns({ ...columnParts, days: days(), resource: weekOf,
      vacationOn: (day) => inVacation(day, vacations.periods) }));
    return;
  }
  patch(dayColumns({ ...columnParts, days: days(),
    vacationOn: (day) => inVacation(day, vacations.periods) }));
}

const { openNew, openEdit, move } = bookingDialog({ store, canEdit, state, render, refreshSoon, plans });

// --- toolbar -------------------------------------------------------------------------------------
function remember() {
  const only = state.resource ? `&resource=${state.resource}` : '';
  history.replaceState(null, '', `?view=${state.view}&date=${state.anchor}${only}`);
}
function go(step) {
  state.anchor = step === 0 ? todayLocal() : addDays(state.anchor, step * (WEEKLY.has(state.view) ? 7 : 1));
  remember();
  render();
  refresh();
}
// The week by resource is one resource's: the filter says whose (the first active one unless chosen).
function pickWeekResource() {
  if (state.view !== 'resource-week' || state.resource) return;
  state.resource = String(weekResource(state)?.id ?? '');
  document.getElementById('cal-resource').value = state.resource;
}
function show(view) {
  state.view = view;
  pickWeekResource();
  remember();
  render();
  refresh();
}
function openWeek(resourceId) {
  state.resource = String(resourceId);
  document.getElementById('cal-resource').value = state.resource;
  show('resource-week');
}
function chooseResource(value) {
  state.resource = value;
  remember();
  refresh();
}
document.getElementById('cal-prev').addEventListener('click', () => go(-1));
document.getElementById('cal-next').addEventListener('click', () => go(1));
document.getElementById('cal-today').addEventListener('click', () => go(0));
for (const button of document.querySelectorAll('[data-view]')) {
  button.addEventListener('click', () => show(button.dataset.view));
}
const newBooking = document.getElementById('new-booking');
if (newBooking) newBooking.addEventListener('click', () => openNew(state.anchor, null));

// --- live ----------------------------------------------------------------------------------------
function flash(id) {
  state.flash.add(id);
  setTimeout(() => {  // the highlight ends on the chips shown: nothing else changed, so no redraw
    state.flash.delete(id);
    for (const element of calendar.querySelectorAll(`.event[data-id="${id}"]`)) element.classList.remove('flash');
  }, 4000);
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
// A resource added or edited (its name, hours, vacations…) by an admin: re-read the resources and plans.
realtime.subscribe('resource_created', 'resource_updated');
for (const type of ['resource_created', 'resource_updated']) {
  realtime.on(type, async () => { await resourceToolbar(state, chooseResource); refreshSoon(); });
}
// The clinic's config changed (hours, working days, slot length, first day of the week): re-plan the grid.
realtime.subscribe('config_updated');
realtime.on('config_updated', async () => { await loadConfig(); refreshSoon(); });

await Promise.all([loadConfig(), loadNames(), resourceToolbar(state, chooseResource)]);
pickWeekResource();
render();
await Promise.all([refresh(), vacations.load()]);
document.body.dataset.ready = 'true';
