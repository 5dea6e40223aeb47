// Each booking's confirmation state on the calendar: confirmed, asked by a reminder with no reply yet,
// or not asked. Read from GET /reminders/confirmations (a Mawid route; the reference's reservation
// payloads carry none of it) and kept live by `reservation_confirmed`, an event type /ws sends
// only to clients that subscribe to it. Once staff recorded whether the patient came (calendar-attendance.js),
// that mark is the booking's state instead.
import { get, payload } from './api.js';
import { Attendance } from './calendar-attendance.js';

const STATES = ['confirmed', 'asked', 'not_asked'];

function stateOf(row) {
  if (row.confirmed_at) return 'confirmed';
  return row.reminder === 'sent' ? 'asked' : 'not_asked';
}

export class Confirmations {
  constructor(realtime, onChange) {
    this.states = new Map();
    this.attendance = new Attendance(realtime, onChange);
    realtime.subscribe('reservation_confirmed');
    realtime.on('reservation_confirmed', ({ data }) => {
      if (data?.id == null) return;
      this.states.set(Number(data.id), 'confirmed');
      onChange();
    });
  }

  // The range's states; on failure the previous ones stay (the state is extra information).
  async load(from, to) {
    await this.attendance.load(from, to);
    try {
      const result = await get(`/reminders/confirmations?from=${from}&to=${to}`);
      if (!result.ok) return;
      this.states = new Map((payload(result) || []).map((row) => [Number(row.id), stateOf(row)]));
    } catch { /* an older server without the route: every booking shows as not asked */ }
  }

  // A moved booking is no longer confirmed (the patient confirmed the old time).
  // Its attendance mark was for the old time too (the server clears it).
  moved(id) {
    if (this.states.get(id) === 'confirmed') this.states.set(id, 'not_asked');
    this.attendance.set(id, null);
  }

  stateOf(id) {
    const mark = this.attendance.markOf(id);
    if (mark) return mark;
    const state = this.states.get(id);
    return STATES.includes(state) ? state : 'not_asked';
  }
}
