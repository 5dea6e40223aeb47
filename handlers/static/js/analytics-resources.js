// Analytics per resource (GET /resources/analytics) for the analytics page's date range, no-shows included;
// shown with several resources.
import { h, formatNumber } from './boot.js';
import { get, payload } from './api.js';
import { loadResources, resourceName } from './resources.js';

const form = document.getElementById('stats-range');
const card = document.getElementById('by-resource-card');
const body = document.querySelector('#by-resource tbody');

const percent = (share) => (share == null ? '–' : `${formatNumber(share * 100, 1)}%`);

async function show() {
  const from = form.elements.from_date.value;
  const to = form.elements.to_date.value;
  if (!from || !to) return;
  const result = await get(`/resources/analytics?from_date=${from}&to_date=${to}`);
  const rows = result.ok ? (payload(result) || []) : [];
  body.replaceChildren(...rows.map((r) => h('tr', { dataset: { resource: String(r.resource_id) } },
    h('td', {}, resourceName(r)), h('td', {}, formatNumber(r.bookings, 0)), h('td', {}, formatNumber(r.cancelled, 0)),
    h('td', {}, formatNumber(r.open_slots, 0)),
    h('td', {}, percent(r.utilisation)),
    h('td', { class: 'no-shows' }, formatNumber(r.no_shows, 0)), h('td', { class: 'no-show-rate' }, percent(r.no_show_rate)))));
}

if ((await loadResources()).length > 1) {
  card.hidden = false;
  form.addEventListener('submit', () => setTimeout(show, 0));
  await show();
}
