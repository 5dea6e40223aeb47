// WhatsApp simulator: chat as a customer with the assistant (outbox mode) and watch the
// booking appear — here and, live, on every open calendar.
import { t, h } from './boot.js';
import { get, post, messageOf } from './api.js';
import { startShell } from './shell.js';
import { renderMessages, appendMessage, conversationOf } from './chat.js';
import { renderTaps } from './sim-choices.js';

const realtime = startShell();
const who = document.getElementById('sim-who');
const waInput = document.getElementById('sim-wa-id');
const nameInput = document.getElementById('sim-name');
const list = document.getElementById('sim-messages');
const form = document.getElementById('sim-form');
const errorBox = document.getElementById('sim-error');
const typing = document.getElementById('sim-typing');
const bookings = document.getElementById('sim-bookings');
const choices = document.getElementById('sim-choices');
const KEY = 'mawid_sim_customer';

const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
waInput.value = saved?.wa_id || `9665${String(Math.floor(10000000 + Math.random() * 89999999))}`;
nameInput.value = saved?.name || '';
const waId = () => waInput.value.trim();

// Each read is for the customer shown when it started: an answer arriving after a switch to another customer is
// someone else's and is dropped. `data-wa-id` says whose messages and choices are on the page.
async function loadConversation() {
  const id = waId();
  if (!/^[0-9]{8,15}$/.test(id)) return;
  const result = await get(`/conversations/${id}?limit=0`);
  if (id !== waId()) return;
  renderMessages(list, conversationOf(result, id));
  list.dataset.waId = id;
}

// The newest message the customer received: its list rows or buttons are shown to tap.
async function loadChoices() {
  const id = waId();
  if (!/^[0-9]{8,15}$/.test(id)) return;
  const result = await get(`/app/api/simulator/latest?wa_id=${id}`);
  if (id !== waId()) return;
  renderTaps(choices, result.ok ? result.data?.data : null, sendTap);
  choices.dataset.waId = id;
}

async function deliver(message, shown) {
  errorBox.hidden = true;
  if (!who.reportValidity()) return false;
  localStorage.setItem(KEY, JSON.stringify({ wa_id: waId(), name: nameInput.value.trim() }));
  const result = await post('/app/api/simulator/message', { wa_id: waId(), name: nameInput.value.trim(), ...message });
  if (!result.data?.success) {
    errorBox.textContent = messageOf(result, t('failed'));
    errorBox.hidden = false;
    return false;
  }
  // The customer's own message is broadcast when stored; show it at once in case it is still queued.
  appendMessage(list, { role: 'user', message: shown, date: '', time: '' });
  return true;
}

async function sendTap(tap) {
  choices.hidden = true;
  await deliver({ reply: { kind: tap.kind, id: tap.id, title: tap.title, description: tap.description } }, tap.title);
}

async function loadBookings() {
  const id = waId();
  if (!/^[0-9]{8,15}$/.test(id)) return;
  const result = await get('/reservations?future=true&include_cancelled=false');
  if (id !== waId()) return;
  const mine = (result.data?.data || {})[id] || [];
  bookings.replaceChildren(...(mine.length ? mine.map((r) => h('li', { class: 'sim-booking', dataset: { id: r.id } },
    `#${r.id} · ${r.date} ${r.time_slot} · ${t(`type_${r.type}`)}`)) : [h('li', { class: 'muted' }, t('sim_none'))]));
}

let shown = waId();  // the customer whose conversation the page shows (or is reading)
who.addEventListener('change', () => {
  localStorage.setItem(KEY, JSON.stringify({ wa_id: waId(), name: nameInput.value.trim() }));
  if (waId() === shown) return;  // the name was edited (its change fires as a tap takes the focus): same customer
  shown = waId();
  // The previous customer's buttons must not be tapped in this one's name while their own are read.
  renderTaps(choices, null, sendTap);
  delete choices.dataset.waId;
  delete list.dataset.waId;
  loadConversation();
  loadBookings();
  loadChoices();
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = form.elements.text.value.trim();
  if (!text) return;
  if (await deliver({ text }, text)) form.elements.text.value = '';
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
  if (data.role !== 'user') {
    typing.hidden = true;
    loadChoices();
  }
});
realtime.on('conversation_typing', ({ data }) => { if (data?.wa_id === waId()) typing.hidden = data.state === 'stop'; });
for (const type of ['reservation_created', 'reservation_updated', 'reservation_reinstated', 'reservation_cancelled']) {
  realtime.on(type, ({ data }) => { if (data?.wa_id === waId()) loadBookings(); });
}
realtime.addEventListener('reconnected', () => { loadConversation(); loadBookings(); loadChoices(); });

await Promise.all([loadConversation(), loadBookings(), loadChoices()]);
document.body.dataset.ready = 'true';
