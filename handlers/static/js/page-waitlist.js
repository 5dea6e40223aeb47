// The waitlist: who waits for which day, the offer of a freed place each has (held until when), and,
// for staff, adding a patient to a day's list or taking one off (their open offer goes to the next).
// With several doctors or rooms, each entry shows the one it waits for ("Any") and staff may choose it.
import { t, h, todayLocal, addDays } from './boot.js';
import { get, post, api, messageOf, payload } from './api.js';
import { startShell } from './shell.js';
import { loadResources, resourceName } from './resources.js';

const realtime = startShell();
const from = document.getElementById('waitlist-from');
const to = document.getElementById('waitlist-to');
const rows = document.getElementById('waitlist-rows');
const empty = document.getElementById('waitlist-empty');
const form = document.getElementById('waitlist-form');
const errorBox = document.getElementById('waitlist-error');
const resourceHead = document.getElementById('waitlist-resource-head');
const resourceField = document.getElementById('waitlist-resource-field');
const resourceSelect = document.getElementById('waitlist-resource');
let resources = [];
const several = () => resources.length > 1;

from.value = todayLocal();
to.value = addDays(from.value, 14);

function offerCell(offer) {
  if (!offer) return '';
  const until = offer.status === 'open' && offer.expires_at ? ` · ${t('waitlist_until')} ${offer.expires_at.slice(11, 16)}` : '';
  return `${offer.time_slot} · ${t(`waitlist_offer_${offer.status}`)}${until}`;
}

function resourceCell(id) {
  if (id === null || id === undefined) return t('waitlist_any_resource');
  const found = resources.find((r) => r.id === id);
  return found ? resourceName(found) : `#${id}`;
}

// Any, then each active doctor or room taking the chosen visit type (what POST /waitlist accepts).
function fillResourceChoices() {
  if (!resourceSelect) return;
  const type = Number(form.elements.reservation_type.value || 0);
  const kept = resourceSelect.value;
  const takes = resources.filter((r) => r.active && (r.reservation_types == null || r.reservation_types.includes(type)));
  resourceSelect.replaceChildren(h('option', { value: '' }, t('waitlist_any_resource')),
    ...takes.map((r) => h('option', { value: r.id }, resourceName(r))));
  resourceSelect.value = takes.some((r) => String(r.id) === kept) ? kept : '';
}

async function loadResourceChoices() {
  resources = await loadResources();
  resourceHead.hidden = !several();
  if (resourceField) resourceField.hidden = !several();
  fillResourceChoices();
}

async function load() {
  if (!from.value || !to.value) return;
  const result = await get(`/waitlist?from=${from.value}&to=${to.value}`);
  const entries = result.ok ? payload(result) || [] : [];
  empty.hidden = entries.length > 0;
  rows.replaceChildren(...entries.map((entry) => h('tr', { dataset: { id: entry.id, waId: entry.wa_id, status: entry.status, type: entry.reservation_type ?? 0, resource: entry.resource_id ?? '' } },
    h('td', {}, entry.date, entry.time_slot ? ` ${entry.time_slot}` : '', ` · ${t(`type_${entry.reservation_type ?? 0}`)}`),
    h('td', {}, entry.customer_name || ''),
    h('td', { dir: 'ltr' }, entry.wa_id),
    several() ? h('td', { class: 'waitlist-resource' }, resourceCell(entry.resource_id)) : null,
    h('td', { class: 'waitlist-status' }, t(`waitlist_status_${entry.status}`)),
    h('td', { class: 'waitlist-offer' }, offerCell(entry.offer)),
    h('td', {}, form && entry.status === 'waiting'
      ? h('button', { type: 'button', class: 'danger', onclick: () => remove(entry.id) }, t('waitlist_remove')) : ''))));
  document.body.dataset.loaded = 'true';
}

async function remove(id) {
  const result = await api('DELETE', `/waitlist/${id}`);
  if (!result.ok) { errorBox.textContent = messageOf(result, t('failed')); errorBox.hidden = false; }
  await load();
}

from.addEventListener('change', load);
to.addEventListener('change', load);
form?.elements.reservation_type.addEventListener('change', fillResourceChoices);
form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const data = Object.fromEntries(new FormData(form));
  if (!data.time_slot) delete data.time_slot;
  data.reservation_type = Number(data.reservation_type || 0);
  if (data.resource_id) data.resource_id = Number(data.resource_id); else delete data.resource_id;
  const result = await post('/waitlist', data);
  if (!result.ok) { errorBox.textContent = messageOf(result, t('failed')); errorBox.hidden = false; return; }
  form.reset();
  fillResourceChoices();
  await load();
});
// Offers move with cancellations and bookings: reload on the reference's reservation events.
for (const type of ['reservation_created', 'reservation_cancelled', 'reservation_updated', 'conversation_new_message']) {
  realtime.on(type, () => load());
}
realtime.addEventListener('reconnected', load);
// A doctor or room added, renamed or switched off changes the column and the choices (opt-in events).
realtime.subscribe('resource_created', 'resource_updated');
for (const type of ['resource_created', 'resource_updated']) {
  realtime.on(type, async () => { await loadResourceChoices(); await load(); });
}

await loadResourceChoices();
await load();
document.body.dataset.ready = 'true';
