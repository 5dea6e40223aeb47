// The resource dialog's form: fills it from a resource (GET /resources shape) and reads it back as the body
// of POST /resources or PATCH /resources/{id}. An empty schedule field is null: "the clinic's".
import { h, t, formatDay, addDays } from './boot.js';

const A_SUNDAY = '2023-01-01';
const WEEK = [0, 1, 2, 3, 4, 5, 6];  // 0 = Sunday … 6 = Saturday, as the server numbers days
export const dayName = (day, weekday = 'long') => formatDay(addDays(A_SUNDAY, day), { weekday });
const orNull = (value) => (String(value).trim() === '' ? null : Number(value));

export function resourceForm(form) {
  const days = document.getElementById('resource-days');
  const dayHours = document.getElementById('resource-day-hours');
  const leaves = document.getElementById('resource-leaves');
  const clinicDays = form.elements.clinic_days;

  days.replaceChildren(...WEEK.map((day) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'day', value: String(day) }), dayName(day, 'short'))));
  dayHours.replaceChildren(...WEEK.map((day) => {
    const start = h('input', { type: 'time', name: 'day_start', 'aria-label': `${dayName(day)} ${t('start')}` });
    const end = h('input', { type: 'time', name: 'day_end', 'aria-label': `${dayName(day)} ${t('end')}` });
    return h('div', { class: 'day-hours-row', dataset: { day: String(day) } }, h('span', { class: 'day-name' }, dayName(day)),
      start, end, h('button', { type: 'button', class: 'link', 'aria-label': t('remove'),
        onclick: () => { start.value = ''; end.value = ''; } }, '×'));
  }));
  const dayBoxes = () => [...days.querySelectorAll('input[name=day]')];
  const syncDays = () => { for (const box of dayBoxes()) box.disabled = clinicDays.checked; };
  clinicDays.addEventListener('change', syncDays);

  function addLeave(leave = {}) {
    const row = h('div', { class: 'leave-row' },
      h('input', { type: 'date', name: 'leave_start', value: leave.start || '', 'aria-label': t('start'), required: true }),
      h('input', { type: 'date', name: 'leave_end', value: leave.end || '', 'aria-label': t('end'), required: true }),
      h('input', { type: 'text', name: 'title', value: leave.title || '', maxlength: 200, 'aria-label': t('title'),
        placeholder: t('title') }),
      h('button', { type: 'button', class: 'link danger', onclick: () => row.remove() }, t('remove')));
    leaves.append(row);
  }
  document.getElementById('resource-add-leave').addEventListener('click', () => addLeave());

  function fill(resource) {
    const r = resource || { active: true, position: 0, day_specific_hours: [], vacations: [] };
    form.elements.name_en.value = r.name_en || '';
    form.elements.name_ar.value = r.name_ar || '';
    form.elements.active.checked = r.active !== false;
    form.elements.position.value = String(r.position ?? 0);
    for (const box of form.querySelectorAll('input[name=type]')) {
      box.checked = r.reservation_types == null || r.reservation_types.includes(Number(box.value));
    }
    clinicDays.checked = r.working_days == null;
    for (const box of dayBoxes()) box.checked = r.working_days != null && r.working_days.includes(Number(box.value));
    syncDays();
    form.elements.start_time.value = r.working_hours?.start_time || '';
    form.elements.end_time.value = r.working_hours?.end_time || '';
    for (const row of dayHours.children) {
      const own = (r.day_specific_hours || []).find((d) => String(d.day_of_week) === row.dataset.day);
      row.querySelector('[name=day_start]').value = own?.start_time || '';
      row.querySelector('[name=day_end]').value = own?.end_time || '';
    }
    form.elements.slot_duration_minutes.value = r.slot_duration_minutes ?? '';
    form.elements.capacity.value = r.capacity ?? '';
    leaves.replaceChildren();
    for (const leave of r.vacations || []) addLeave(leave);
  }

  // Every field, so a PATCH states the whole resource as the form shows it.
  function read() {
    const types = [...form.querySelectorAll('input[name=type]:checked')].map((box) => Number(box.value));
    const start = form.elements.start_time.value;
    const end = form.elements.end_time.value;
    return {
      name_en: form.elements.name_en.value.trim(),
      name_ar: form.elements.name_ar.value.trim(),
      active: form.elements.active.checked,
      position: Number(form.elements.position.value || 0),
      reservation_types: types.length === 2 ? null : types,  // both: every type
      working_days: clinicDays.checked ? null : dayBoxes().filter((box) => box.checked).map((box) => Number(box.value)),
      working_hours: start || end ? { start_time: start, end_time: end } : null,
      day_specific_hours: [...dayHours.children].map((row) => ({ day_of_week: Number(row.dataset.day),
        start_time: row.querySelector('[name=day_start]').value, end_time: row.querySelector('[name=day_end]').value }))
        .filter((d) => d.start_time || d.end_time),
      slot_duration_minutes: orNull(form.elements.slot_duration_minutes.value),
      capacity: orNull(form.elements.capacity.value),
      vacations: [...leaves.children].map((row) => ({ start: row.querySelector('[name=leave_start]').value,
        end: row.querySelector('[name=leave_end]').value, title: row.querySelector('[name=title]').value.trim() || null })),
    };
  }

  return { fill, read };
}
