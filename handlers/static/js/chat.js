// Message bubbles shared by the conversations page and the simulator.
import { h, t } from './boot.js';

export function messageKey(m) { return `${m.role}|${m.date}|${m.time}|${m.message}`; }

export function bubble(m) {
  const role = m.role || 'user';
  return h('li', { class: role, dir: 'auto', dataset: { key: messageKey(m) } },
    m.message ?? '', h('small', {}, `${t(`role_${role}`) || role} · ${m.date ?? ''} ${(m.time ?? '').slice(0, 5)}`));
}

export function renderMessages(list, messages) {
  list.replaceChildren(...messages.map(bubble));
  list.scrollTop = list.scrollHeight;
}

export function appendMessage(list, m) {
  const key = messageKey(m);
  if ([...list.children].some((li) => li.dataset.key === key)) return false;
  list.append(bubble(m));
  list.scrollTop = list.scrollHeight;
  return true;
}

export function conversationOf(result, waId) {
  const data = result?.data?.data;
  return (data && Array.isArray(data[waId])) ? data[waId] : [];
}
