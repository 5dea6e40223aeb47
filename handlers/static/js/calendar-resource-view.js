// The calendar's resource views, shown when the clinic has several resources (doctors, rooms…):
// a day with a column per active resource, or one resource's week with a column per day. Every column
// follows that resource's own plan for its day (calendar-plans.js: its hours, slot length, days off
// and vacations), holds only its bookings, and says when the resource is off. On a phone the columns
// scroll sideways inside their box.
import { h, t, formatDay } from './boot.js';
import { loadResources, resourceName } from './resources.js';

// One resource on one day. `vacation` is the clinic's (known on the page before the plan is reloaded).
// Until the plan is read the column says it is loading and offers no slot: any guess could be wrong.
// Bookings already made in a slot that is no longer offered still show, so nothing booked is hidden.
function planColumn({ day, resource, plan, heading, store, today, slotCell, vacation, unreadable }) {
  if (!plan && !vacation) return pendingColumn('day resource-column', heading, { date: day, resource: String(resource.id) }, unreadable);
  const off = vacation ? { off: 'clinic_vacation', title: vacation.title }
    : plan?.off ? plan : null;
  const offered = off ? [] : plan.slots;
  const times = [...new Set([...offered, ...store.timesOn(day, resource.id)])].sort();
  const column = h('div', {
    class: `day resource-column${day === today ? ' today' : ''}${off ? (off.off === 'day_off' ? ' day-off' : ' on-vacation') : ''}`,
    dataset: { date: day, resource: String(resource.id), off: off ? off.off : '' },
  }, heading);
  if (off?.off === 'day_off') column.append(h('p', { class: 'closed-note' }, t('resource_day_off')));
  else if (off) {
    const label = off.off === 'clinic_vacation' ? t('vacation') : t('resource_vacation');
    column.append(h('p', { class: 'vacation-note' }, `${label}${off.title ? `: ${off.title}` : ''}`));
  } else if (!times.length) column.append(h('p', { class: 'closed-note' }, t('closed')));
  for (const time of times) {
    const cell = slotCell(day, time, off, resource.id);
    if (plan?.capacity && !off) {  // places taken of the resource's capacity per slot
      const taken = store.at(day, time, resource.id).length;
      cell.append(h('small', { class: 'slot-load' }, `${taken}/${plan.capacity}`));
      cell.classList.toggle('full', taken >= plan.capacity);
    }
    column.append(cell);
  }
  return column;
}

// A column whose plan is not known yet: loading, or (`unreadable`) the schedule could not be read.
export function pendingColumn(className, heading, dataset, unreadable = false) {
  return h('div', { class: `${className} loading`, dataset: { ...dataset, loading: 'true' }, 'aria-busy': String(!unreadable) },
    heading, h('p', { class: 'loading-note' }, t(unreadable ? 'schedule_unavailable' : 'loading')));
}

// A day, a column per resource; each column's link opens that resource's week.
export function resourceColumns({ day, resources, plans, openWeek, ...rest }) {
  return resources.map((resource) => planColumn({ ...rest, day, resource, plan: plans.of(resource.id, day), unreadable: plans.failed,
    heading: [h('h3', { class: 'day-head resource-head' }, resourceName(resource)), h('button', {
      type: 'button', class: 'link open-week', onclick: () => openWeek(resource.id),
      'aria-label': `${t('view_resource_week')}: ${resourceName(resource)}`,
    }, t('view_resource_week'))] }));
}

// One resource's week, a column per day.
export function resourceWeekColumns({ days, resource, plans, vacationOn, ...rest }) {
  return days.map((day) => planColumn({ ...rest, day, resource, plan: plans.of(resource.id, day), unreadable: plans.failed,
    vacation: vacationOn(day), heading: h('h3', { class: 'day-head' }, formatDay(day)) }));
}

// With several resources the toolbar offers a filter by resource and, for the active ones, the two resource
// views; with one, a resource view's address falls back to the day or week view (the same thing).
export async function resourceToolbar(state, onChange) {
  const resources = await loadResources();
  const select = document.getElementById('cal-resource');
  // A switched-off resource keeps its place in the filter (its bookings stay) but gets no column.
  state.resources = resources.length > 1 ? resources.filter((r) => r.active !== false) : [];
  state.allResources = resources;
  const several = state.resources.length > 1;
  for (const id of ['view-resources', 'view-resource-week']) document.getElementById(id).hidden = !several;
  if (!several && state.view === 'resources') state.view = 'day';
  if (!several && state.view === 'resource-week') state.view = 'week';
  if (!resources.some((r) => String(r.id) === state.resource)) state.resource = '';
  if (resources.length < 2 || !select) return;
  select.replaceChildren(select.options[0], ...resources.map((r) => h('option', { value: String(r.id) }, resourceName(r))));
  select.value = state.resource;
  document.getElementById('cal-resource-box').hidden = false;
  if (!select.dataset.bound) {
    select.dataset.bound = 'true';
    select.addEventListener('change', () => onChange(select.value));
  }
}

// The week view needs one resource: the chosen one, else the first active one.
export function weekResource(state) {
  return (state.allResources || []).find((r) => String(r.id) === state.resource) || state.resources[0] || null;
}
