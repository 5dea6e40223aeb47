// WhatsApp simulator: chat as a customer with the assistant (outbox mode) and watch the
// booking appear — here and, live, on every open calendar.
import { t, h } from './boot.js';
import { get, post, messageOf } from './api.js';
import { startShell } from './shell.js';
import { renderMessages, appendMessage, conversationOf } from './chat.js';

const realtime = startShell();
const who = document.getElementById('sim-who');
const waInput = document.getElementById('sim-wa-id');
const nameInput = document.getElementById('sim-name');
const list = document.getElementById('sim-messages');
const form = document.getElementById('sim-form');
const errorBox = document.getElementById('sim-error');
const typing = document.getElementById('sim-typing');
const bookings = document.getElementById('sim-bookings');
const KEY = 'mawid_sim_customer';

const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
waInput.value = saved?.wa_id || `9665${String(Math.floor(10000000 + Math.random() * 89999999))}`;
nameInput.value = saved?.name || '';
const waId = () => waInput.value.trim();

async function loadConversation() {
  if (!/^[0-9]{8,15}$/.test(waId())) return;
  const result = await get(`/conversations/${waId()}?limit=0`);
  renderMessages(list, conversationOf(result, waId()));
}

async function loadBookings() {
  if (!/^[0-9]{8,15}$/.test(waId())) return;
  const result = await get('/reservations?future=true&include_cancelled=false');
  const mine = (result.data?.data || {})[waId()] || [];
  bookings.replaceChildren(...(mine.length ? mine.map((r) => h('li', { class: 'sim-booking', dataset: { id: r.id } },
    `#${r.id} · ${r.date} ${r.time_slot} · ${t(`type_${r.type}`)}`)) : [h('li', { class: 'muted' }, t('sim_none'))]));
}

who.addEventListener('change', () => {
  localStorage.setItem(KEY, JSON.stringify({ wa_id: waId(), name: nameInput.value.trim() }));
  loadConversation();
  loadBookings();
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const text = form.elements.text.value.trim();
  if (!text || !who.reportValidity()) return;
  localStorage.setItem(KEY, JSON.stringify({ wa_id: waId(), name: nameInput.value.trim() }));
  const result = await post('/app/api/simulator/message', { wa_id: waId(), name: nameInput.value.trim(), text });
  if (!result.data?.success) {
    errorBox.textContent = messageOf(result, t('failed'));
    errorBox.hidden = false;
    return;
  }
  form.elements.text.value = '';
  // The customer's own message is broadcast when stored; show it at once in case it is still queued.
  appendMessage(list, { role: 'user', message: text, date: '', time: '' });
});
form.elements.text.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });

realtime.on('conversation_new_message', ({ data }) => {
  if (data?.wa_id !== waId()) return;
  if (data.role === 'user') {
    // Replace the optimistic bubble with the stored one.
    const pending = [...list.children].find((li) => li.dataset.key === `user|||${data.message}`);
    if (pending) pending.remove();
  }
  appendMessage(list, data);
  if (data.role !== 'user') typing.hidden = true;
});
realtime.on('conversation_typing', ({ data }) => { if (data?.wa_id === waId()) typing.hidden = data.state === 'stop'; });
for (const type of ['reservation_created', 'reservation_updated', 'reservation_reinstated', 'reservation_cancelled']) {
  realtime.on(type, ({ data }) => { if (data?.wa_id === waId()) loadBookings(); });
}
realtime.addEventListener('reconnected', () => { loadConversation(); loadBookings(); });

await Promise.all([loadConversation(), loadBookings()]);
document.body.dataset.ready = 'true';
