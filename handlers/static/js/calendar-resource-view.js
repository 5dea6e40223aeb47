// The calendar's resource view: one day, a column per resource (doctor, room…) holding only its bookings.
// Shown only when the clinic has several resources; the columns scroll sideways inside their box.
import { h, t } from './boot.js';
import { loadResources, resourceName } from './resources.js';

// `slotCell(day, time, vacation, resourceId)` builds one time slot of that resource's column.
export function resourceColumns({ day, resources, store, slotsFor, vacation, today, slotCell }) {
  return resources.map((resource) => {
    const times = [...new Set([...slotsFor(day), ...store.timesOn(day, resource.id)])].sort();
    const column = h('div', {
      class: `day resource-column${day === today ? ' today' : ''}${vacation ? ' on-vacation' : ''}`,
      dataset: { date: day, resource: String(resource.id) },
    }, h('h3', { class: 'day-head resource-head' }, resourceName(resource)));
    if (vacation) column.append(h('p', { class: 'vacation-note' }, `${t('vacation')}${vacation.title ? `: ${vacation.title}` : ''}`));
    if (!times.length) column.append(h('p', { class: 'closed-note' }, t('closed')));
    for (const time of times) column.append(slotCell(day, time, vacation, resource.id));
    return column;
  });
}

// With several resources the toolbar offers a filter by resource and, for the active ones, the resource view;
// with one, a `view=resources` address falls back to the day view (the same thing).
export async function resourceToolbar(state, refresh) {
  const resources = await loadResources();
  const select = document.getElementById('cal-resource');
  // A switched-off resource keeps its place in the filter (its bookings stay) but gets no column.
  state.resources = resources.length > 1 ? resources.filter((r) => r.active !== false) : [];
  if (state.resources.length > 1) document.getElementById('view-resources').hidden = false;
  else if (state.view === 'resources') state.view = 'day';
  if (resources.length < 2 || !select) return;
  select.append(...resources.map((r) => h('option', { value: String(r.id) }, resourceName(r))));
  document.getElementById('cal-resource-box').hidden = false;
  select.addEventListener('change', () => { state.resource = select.value; refresh(); });
}
