// The business week as the reservation rules define it (spec 20 §5): two-hour slots,
// Friday closed, Saturday evenings, shorter hours in Ramadan. Used only to lay out the
// calendar grid; whether a slot can really be booked is always the server's answer.
import { parseDay } from './boot.js';

const hijriMonth = (() => {
  try {
    const format = new Intl.DateTimeFormat('en-u-ca-islamic-umalqura', { month: 'numeric', timeZone: 'UTC' });
    return (day) => Number(format.format(parseDay(day)));
  } catch {
    return () => 0;
  }
})();

const hours = (from, to) => {
  const starts = [];
  for (let hour = from; hour < to; hour += 2) starts.push(`${String(hour).padStart(2, '0')}:00`);
  return starts;
};

export function slotsFor(day) {
  const weekday = parseDay(day).getUTCDay(); // 0 Sunday … 6 Saturday
  if (weekday === 5) return [];
  if (hijriMonth(day) === 9) return hours(10, 15);
  return weekday === 6 ? hours(16, 22) : hours(11, 17);
}

export function inVacation(day, vacations) {
  return vacations.find((v) => v.start <= day && day <= v.end) || null;
}
