// The bell: what changed without this person doing it — the assistant's bookings, customers'
// messages — from the persisted history (`get_notifications`) and then live.
import { t, h } from './boot.js';

const SHOWN = new Set(['reservation_created', 'reservation_updated', 'reservation_reinstated', 'reservation_cancelled',
  'conversation_new_message', 'vacation_period_updated']);
const OTHERS = new Set([undefined, null, 'assistant', 'backend', 'system_agent']); // as the reference's panel
const LIMIT = 30;

function worthShowing(type, data) {
  if (!SHOWN.has(type) || !data || !OTHERS.has(data._source)) return false;
  return type !== 'conversation_new_message' || data.role === 'user' || data.role === 'customer';
}

function describe(type, data) {
  const who = data.customer_name || data.wa_id || '';
  if (type === 'conversation_new_message') return `${who}: ${String(data.message || '').slice(0, 80)}`;
  if (type === 'vacation_period_updated') return '';
  return [who, data.date, data.time_slot].filter(Boolean).join(' · ');
}

function item(type, data, timestamp) {
  const href = data.wa_id ? (type === 'conversation_new_message'
    ? `/app/conversations?wa_id=${encodeURIComponent(data.wa_id)}`
    : `/app/calendar?view=day&date=${data.date || ''}`) : '/app/calendar';
  return h('li', { class: 'bell-item', dataset: { type } },
    h('a', { href }, h('b', {}, t(`notif_${type}`)), ' ', h('span', { dir: 'auto' }, describe(type, data))),
    h('small', { class: 'muted' }, (timestamp || '').replace('T', ' ').replace('Z', ' UTC')));
}

export function wireNotifications(realtime) {
  const bell = document.getElementById('bell');
  if (!bell) return;
  const panel = document.getElementById('bell-panel');
  const list = document.getElementById('bell-list');
  const badge = document.getElementById('bell-count');
  let unseen = 0;
  let asked = false;

  const showCount = () => { badge.textContent = String(unseen); badge.hidden = unseen === 0; };
  const trim = () => { while (list.children.length > LIMIT) list.lastChild.remove(); };
  const empty = () => { if (!list.children.length) list.append(h('li', { class: 'muted bell-empty' }, t('no_notifications'))); };

  bell.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    bell.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) { unseen = 0; showCount(); }
  });
  document.addEventListener('click', (e) => {
    if (!panel.hidden && !panel.contains(e.target) && !bell.contains(e.target)) {
      panel.hidden = true;
      bell.setAttribute('aria-expanded', 'false');
    }
  });

  realtime.on('status', ({ online }) => {
    if (online && !asked) { asked = true; realtime.send({ type: 'get_notifications', data: { limit: LIMIT } }); }
  });
  realtime.on('notifications_history', ({ data }) => {
    const items = (data?.items || []).filter((n) => worthShowing(n.type, n.data));
    list.replaceChildren(...items.map((n) => item(n.type, n.data, n.timestamp)));
    empty();
  });
  realtime.on('message', (message) => {
    if (!worthShowing(message.type, message.data)) return;
    list.querySelector('.bell-empty')?.remove();
    list.prepend(item(message.type, message.data, message.timestamp));
    trim();
    if (panel.hidden) { unseen += 1; showCount(); }
  });
}
