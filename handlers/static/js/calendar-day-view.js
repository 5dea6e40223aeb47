// The unfiltered day and week views: a column per day laid out on the clinic's day as the server plans it
// (calendar-plans.js: the union of its active resources' slots, so a change to the clinic's hours, days or
// slot length shows as soon as the plans are re-read). A day whose plan is not read yet shows a loading
// note and no slot rather than a guess.
import { h, t, formatDay } from './boot.js';
import { pendingColumn } from './calendar-resource-view.js';

export function inVacation(day, vacations) {
  return vacations.find((v) => v.start <= day && day <= v.end) || null;
}

export function dayColumns({ days, plans, store, today, slotCell, vacationOn }) {
  return days.map((day) => {
    const vacation = vacationOn(day);
    const plan = plans.unionOf(day);
    const heading = h('h3', { class: 'day-head' }, formatDay(day));
    if (!plan && !vacation) return pendingColumn('day', heading, { date: day }, plans.failed);
    const offered = vacation || plan.off ? [] : plan.slots;
    // Bookings in a slot no longer offered still show, so nothing booked is hidden.
    const times = [...new Set([...offered, ...store.timesOn(day)])].sort();
    const column = h('div', { class: `day${day === today ? ' today' : ''}${vacation ? ' on-vacation' : ''}`,
      dataset: { date: day, off: vacation ? 'clinic_vacation' : plan.off || '' } }, heading);
    if (vacation) column.append(h('p', { class: 'vacation-note' }, `${t('vacation')}${vacation.title ? `: ${vacation.title}` : ''}`));
    else if (!offered.length) column.append(h('p', { class: 'closed-note' }, t('closed')));
    for (const time of times) column.append(slotCell(day, time, vacation));
    return column;
  });
}
