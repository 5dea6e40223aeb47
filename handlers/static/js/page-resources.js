// Doctors and rooms (admins): list them with their schedules, add one, edit any field (names, active,
// the types it takes, working days and hours, hours on particular days, slot length, capacity, its own
// leave) — the /resources routes. Live: another admin's change shows here too.
import { t, h, isArabic } from './boot.js';
import { api, get, post, payload, messageOf, RouteMissing } from './api.js';
import { startShell, toast } from './shell.js';
import { resourceForm, dayName } from './resource-form.js';
import { resourceName } from './resources.js';

const realtime = startShell();
const rows = document.getElementById('resource-rows');
const dialog = document.getElementById('resource-dialog');
const form = document.getElementById('resource-form');
const errorBox = document.getElementById('resource-error');
const editor = resourceForm(form);
let editing = null;  // the resource being edited; null while adding

const clinics = () => h('span', { class: 'muted' }, t('clinic_default'));
const hours = (from, to) => `${from}–${to}`;

function row(r) {
  const types = r.reservation_types == null ? [0, 1] : r.reservation_types;
  const daySpecific = r.day_specific_hours.map((d) => `${dayName(d.day_of_week, 'short')} ${hours(d.start_time, d.end_time)}`);
  return h('tr', { dataset: { resource: String(r.id) }, class: r.active ? '' : 'muted' },
    h('td', {}, h('b', {}, r.name_en), ' · ', h('span', { dir: 'rtl' }, r.name_ar),
      r.active ? null : h('small', { class: 'inactive' }, ` (${t('inactive')})`)),
    h('td', {}, types.map((type) => t(`type_${type}`)).join(isArabic ? '، ' : ', ') || '–'),
    h('td', {}, r.working_days == null ? clinics() : r.working_days.map((d) => dayName(d, 'short')).join(' ')),
    h('td', {}, r.working_hours ? hours(r.working_hours.start_time, r.working_hours.end_time) : clinics(),
      ...daySpecific.map((text) => h('div', { class: 'muted' }, text))),
    h('td', {}, r.slot_duration_minutes ?? clinics()),
    h('td', {}, r.capacity ?? clinics()),
    h('td', {}, ...r.vacations.map((v) => h('div', {}, `${v.start} → ${v.end}${v.title ? ` · ${v.title}` : ''}`))),
    h('td', {}, h('button', { type: 'button', class: 'link edit', onclick: () => open(r) }, t('edit'))));
}

async function load() {
  try {
    const result = await get('/resources');
    if (!result.ok) { toast(messageOf(result), { kind: 'error' }); return; }
    rows.replaceChildren(...(payload(result) || []).map(row));
  } catch (err) {
    if (err instanceof RouteMissing) {
      const box = document.getElementById('resources-unavailable');
      box.textContent = t('unavailable', { route: err.route });
      box.hidden = false;
    }
  }
}

function open(resource) {
  editing = resource;
  editor.fill(resource);
  errorBox.hidden = true;
  document.getElementById('resource-title').textContent = resource ? resourceName(resource) : t('add_resource');
  dialog.showModal();
}

document.getElementById('resource-add').addEventListener('click', () => open(null));
document.getElementById('resource-close').addEventListener('click', () => dialog.close());
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = editor.read();
  const result = editing ? await api('PATCH', `/resources/${editing.id}`, body) : await post('/resources', body);
  if (!result.ok) {
    errorBox.textContent = messageOf(result, t('failed'));
    errorBox.hidden = false;
    return;
  }
  dialog.close();
  toast(`${t('saved')}: ${body.name_en}`, { kind: 'success' });
  load();
});

realtime.subscribe('resource_created', 'resource_updated');
for (const type of ['resource_created', 'resource_updated']) realtime.on(type, () => load());

await load();
document.body.dataset.ready = 'true';
