// Vacation periods on the calendar: listed, added and removed (WebSocket `vacation_update`,
// the dashboard's main path, with the REST route as fallback), kept live, undoable.
import { t, h, isArabic } from './boot.js';
import { get, post, payload, messageOf } from './api.js';
import { toast } from './shell.js';

// REST gives midnight ends, the snapshot end-of-day ones (spec 40 Q7): both become dates.
function normalise(list) {
  if (!Array.isArray(list)) return [];
  return list.map((v) => ({ start: String(v.start).slice(0, 10), end: String(v.end).slice(0, 10), title: v.title || '' }));
}

export class VacationPanel {
  constructor(realtime, canEdit, onChange) {
    this.realtime = realtime;
    this.canEdit = canEdit;
    this.onChange = onChange;
    this.periods = [];
    this.list = document.getElementById('vacation-list');
    const form = document.getElementById('vacation-form');
    if (form) {
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const v = Object.fromEntries(new FormData(form));
        form.reset();
        this.save([...this.periods, { start: v.start, end: v.end, title: v.title.trim() }]);
      });
    }
    realtime.on('snapshot', ({ data }) => { if (Array.isArray(data?.vacations)) this.set(data.vacations); });
    realtime.on('vacation_period_updated', ({ data }) => {
      const periods = Array.isArray(data) ? data : data?.periods;
      // An empty list is what the REST routes broadcast (spec 40 Q6): re-read instead of clearing.
      if (Array.isArray(periods) && periods.length) this.set(periods); else this.load();
    });
  }

  set(list) {
    this.periods = normalise(list);
    this.render();
    this.onChange();
  }

  async load() {
    try {
      const result = await get('/vacations');
      if (result.ok) this.set(payload(result));
    } catch { /* the snapshot brings them instead */ }
  }

  render() {
    this.list.replaceChildren(...this.periods.map((v, index) => h('li', { class: 'vacation-item' },
      h('span', {}, `${v.start} → ${v.end}${v.title ? ` · ${v.title}` : ''}`),
      this.canEdit ? h('button', { type: 'button', class: 'link danger',
        onclick: () => this.save(this.periods.filter((_, i) => i !== index)) }, t('remove')) : null)));
  }

  async save(periods) {
    const previous = this.periods;
    const body = periods.map(({ start, end, title }) => (title ? { start, end, title } : { start, end }));
    let reply = await this.realtime.request({ type: 'vacation_update', data: { periods: body } },
      'vacation_update_ack', 'vacation_update_nack');
    let ok = reply.type === 'vacation_update_ack';
    if (!ok && reply.error === 'offline' && body.length) {
      const result = await post('/update-vacation-periods', { periods: body, ar: isArabic, _call_source: 'frontend' });
      ok = Boolean(result.data?.success);
      reply = { error: messageOf(result) };
    }
    if (!ok) { toast(reply.error || t('failed'), { kind: 'error' }); return; }
    this.set(body);
    toast(t('vacations'), { kind: 'success', action: { label: t('undo'), run: () => this.save(previous) } });
  }
}
