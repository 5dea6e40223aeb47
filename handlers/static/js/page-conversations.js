// Conversations: contacts with unread state, a live chat view, sending as the secretary, typing.
import { boot, t, h, debounce } from './boot.js';
import { get, post, messageOf, RouteMissing } from './api.js';
import { startShell, toast } from './shell.js';
import { renderMessages, appendMessage, conversationOf } from './chat.js';

const realtime = startShell();
const SEEN_KEY = 'mawid_seen_v1';
const list = document.getElementById('conv-list');
const filter = document.getElementById('conv-filter');
const messages = document.getElementById('chat-messages');
const title = document.getElementById('chat-title');
const typing = document.getElementById('chat-typing');
const form = document.getElementById('chat-form');
const split = document.querySelector('.split');
const contacts = new Map(); // wa_id -> {wa_id, customer_name, last_message_at}
let open = null;
let seen = {};
try { seen = JSON.parse(localStorage.getItem(SEEN_KEY) || 'null'); } catch { seen = null; }
const firstVisit = seen === null;
if (firstVisit) seen = {};

function markSeen(waId, when) {
  seen[waId] = when || new Date().toISOString().slice(0, 19);
  try { localStorage.setItem(SEEN_KEY, JSON.stringify(seen)); } catch { /* private mode */ }
}

function isUnread(c) { return Boolean(c.last_message_at) && c.wa_id !== open && (!seen[c.wa_id] || c.last_message_at > seen[c.wa_id]); }

function renderList() {
  const q = filter.value.trim().toLowerCase();
  const items = [...contacts.values()]
    .filter((c) => !q || (c.customer_name || '').toLowerCase().includes(q) || c.wa_id.includes(q))
    .sort((a, b) => String(b.last_message_at || '').localeCompare(String(a.last_message_at || '')));
  list.replaceChildren(...items.map((c) => h('li', { class: isUnread(c) ? 'unread' : '', dataset: { waId: c.wa_id } },
    h('button', { type: 'button', class: c.wa_id === open ? 'selected' : '', onclick: () => select(c.wa_id) },
      h('span', { class: 'conv-name', dir: 'auto' }, c.customer_name || c.wa_id),
      isUnread(c) ? h('span', { class: 'badge' }, t('unread')) : '',
      h('span', { class: 'conv-meta' }, `${c.wa_id} · ${(c.last_message_at || '').replace('T', ' ').slice(0, 16)}`)))));
}

async function loadContacts() {
  try {
    const result = await get('/phone/recent?limit=100');
    if (!result.ok) { toast(messageOf(result), { kind: 'error' }); return; }
    for (const c of result.data?.data || []) contacts.set(c.wa_id, c);
    if (firstVisit) for (const c of contacts.values()) markSeen(c.wa_id, c.last_message_at);
  } catch (err) {
    list.replaceChildren(h('li', { class: 'notice' }, err instanceof RouteMissing ? t('unavailable', { route: err.route }) : t('failed')));
  }
  renderList();
}

async function loadConversation(waId) {
  const result = await get(`/conversations/${encodeURIComponent(waId)}?limit=0`);
  if (open !== waId) return;
  renderMessages(messages, conversationOf(result, waId));
}

async function select(waId) {
  open = waId;
  const c = contacts.get(waId);
  title.textContent = c?.customer_name ? `${c.customer_name} · ${waId}` : waId;
  typing.hidden = true;
  split.classList.add('chat-open');
  document.getElementById('chat-pane').classList.add('conversation');
  if (form) form.hidden = false;
  markSeen(waId, c?.last_message_at);
  renderList();
  history.replaceState(null, '', `?wa_id=${encodeURIComponent(waId)}`);
  await loadConversation(waId);
}

document.getElementById('chat-back').addEventListener('click', () => { split.classList.remove('chat-open'); });
filter.addEventListener('input', debounce(renderList, 100));

// --- sending and typing ----------------------------------------------------------------------------
let typingSent = 0;
let typingStop = null;
function sendTyping(on) {
  if (!open || !boot.canEdit) return;
  realtime.send({ type: 'secretary_typing', data: { wa_id: open, typing: on } });
}
if (form) {
  const input = form.elements.text;
  input.addEventListener('input', () => {
    const now = Date.now();
    if (now - typingSent > 3000) { typingSent = now; sendTyping(true); }
    clearTimeout(typingStop);
    typingStop = setTimeout(() => { typingSent = 0; sendTyping(false); }, 4000);
  });
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || !open) return;
    const waId = open;
    clearTimeout(typingStop);
    typingSent = 0;
    sendTyping(false);
    const result = await post('/whatsapp/message', { wa_id: waId, text, _call_source: 'frontend' });
    if (result.data?.status === 'error' || (!result.ok && result.status !== 200)) {
      toast(messageOf(result, t('failed')), { kind: 'error' });
      return;
    }
    input.value = '';
    setTimeout(() => { if (open === waId) loadConversation(waId); }, 800); // in case the event was filtered out
  });
}

// --- live ----------------------------------------------------------------------------------------------
let typingTimer = null;
realtime.on('conversation_new_message', ({ data }) => {
  if (!data?.wa_id) return;
  const stamp = data.date && data.time ? `${data.date}T${String(data.time).padEnd(8, ':00').slice(0, 8)}` : undefined;
  const c = contacts.get(data.wa_id) || { wa_id: data.wa_id, customer_name: null };
  if (data.role === 'user' || data.role === 'customer') c.last_message_at = stamp || c.last_message_at;
  contacts.set(data.wa_id, c);
  if (data.wa_id === open) {
    appendMessage(messages, data);
    markSeen(open, c.last_message_at);
    if (data.role !== 'secretary') typing.hidden = true;
  }
  renderList();
});
realtime.on('conversation_typing', ({ data }) => {
  if (!data || data.wa_id !== open) return;
  typing.hidden = data.state === 'stop';
  clearTimeout(typingTimer);
  if (!typing.hidden) typingTimer = setTimeout(() => { typing.hidden = true; }, 20000);
});
realtime.on('customer_updated', ({ data }) => {
  const c = data && contacts.get(data.wa_id);
  if (c) { c.customer_name = data.customer_name || data.name || c.customer_name; renderList(); }
});
realtime.addEventListener('reconnected', () => { loadContacts(); if (open) loadConversation(open); });

await loadContacts();
const wanted = new URLSearchParams(location.search).get('wa_id');
if (wanted) await select(wanted);
document.body.dataset.ready = 'true';
