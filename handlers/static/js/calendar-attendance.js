// Attendance on the /app calendar: staff mark a booking of today or earlier attended or no-show (or clear the
// mark) from its booking dialog. The marks of the range shown come from GET /reservations/attendance (a Mawid
// route; the reference's reservation payloads carry none of it) and stay live through `reservation_attendance`,
// an event type /ws sends only to clients that subscribe to it. Shown on each booking by calendar-confirmations.js.
import { boot, t, todayLocal } from './boot.js';
import { get, post, payload, messageOf } from './api.js';

const MARKS = ['attended', 'no_show'];

export class Attendance {
  constructor(realtime, onChange) {
    this.marks = new Map();
    this.onChange = onChange;
    this.current = null;  // { id, date } of the booking whose dialog was opened last
    this.panel = document.getElementById('booking-attendance');
    realtime.subscribe('reservation_attendance');
    realtime.on('reservation_attendance', ({ data }) => {
      if (data?.id == null) return;
      this.set(Number(data.id), data.attendance);
      this.show();
      onChange();
    });
    if (this.panel) this.wire();
  }

  set(id, mark) {
    if (MARKS.includes(mark)) this.marks.set(id, mark);
    else this.marks.delete(id);
  }

  markOf(id) { return this.marks.get(id) || null; }

  // The range's marks; on failure the previous ones stay (attendance is extra information).
  async load(from, to) {
    try {
      const result = await get(`/reservations/attendance?from=${from}&to=${to}`);
      if (!result.ok) return;
      this.marks = new Map((payload(result) || []).filter((r) => MARKS.includes(r.attendance))
        .map((r) => [Number(r.id), r.attendance]));
    } catch { /* an older server without the route: no marks */ }
  }

  wire() {
    // A booking's chip opens its dialog (page-calendar.js); in the capture phase, before that, note which
    // booking it is (its slot carries the date). Any other click in the calendar opens a new booking instead.
    document.getElementById('calendar')?.addEventListener('click', (event) => {
      const chip = event.target.closest('.event[data-id]');
      this.current = chip ? { id: Number(chip.dataset.id), date: chip.closest('[data-date]')?.dataset.date } : null;
      setTimeout(() => this.show(), 0);
    }, true);
    document.getElementById('new-booking')?.addEventListener('click', () => { this.current = null; this.show(); }, true);
    for (const button of this.panel.querySelectorAll('button[data-attendance]')) {
      button.addEventListener('click', () => this.record(button.dataset.attendance || null));
    }
  }

  show() {
    if (!this.panel) return;
    const booking = this.current;
    const open = Boolean(boot.canEdit && booking?.date && booking.date <= todayLocal());
    this.panel.hidden = !open;
    if (!open) return;
    const mark = this.markOf(booking.id);
    this.panel.dataset.attendance = mark || '';
    this.panel.querySelector('.attendance-state').textContent = t(`attendance_${mark || 'none'}`);
    for (const button of this.panel.querySelectorAll('button[data-attendance]')) {
      button.disabled = false;
      button.setAttribute('aria-pressed', String(button.dataset.attendance === (mark || '')));
    }
    this.panel.querySelector('.error').hidden = true;
  }

  async record(value) {
    const booking = this.current;
    if (!booking) return;
    const result = await post(`/reservations/${booking.id}/attendance`, { attendance: value });
    if (!result.ok || !result.data?.success) {
      const error = this.panel.querySelector('.error');
      error.textContent = messageOf(result, t('failed'));
      error.hidden = false;
      return;
    }
    this.set(booking.id, result.data.data?.attendance);
    this.show();
    this.onChange();
  }
}
