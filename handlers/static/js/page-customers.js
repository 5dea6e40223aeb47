// Customer directory: instant search over the /phone routes, favorite and block toggles, live.
import { boot, t, h, debounce } from './boot.js';
import { get, post, messageOf, RouteMissing } from './api.js';
import { startShell, toast } from './shell.js';

const realtime = startShell();
const input = document.getElementById('customer-search');
const rows = document.getElementById('customer-rows');
const empty = document.getElementById('customer-empty');
const count = document.getElementById('customer-count');
const shown = new Map(); // wa_id -> item currently listed
let generation = 0; // answers to older keystrokes are dropped

function toggle(item, field) {
  const on = Boolean(item[field]);
  const isBlock = field === 'is_blocked';
  const label = isBlock ? (on ? t('unblock') : t('block')) : '★';
  return h('button', {
    type: 'button', class: `toggle ${isBlock ? 'block' : 'fav'}`, 'aria-pressed': String(on), disabled: !boot.canEdit,
    title: isBlock ? t('blocked') : t('favorite'), dataset: { field, waId: item.wa_id },
    onclick: () => setFlag(item.wa_id, field, !on),
  }, label);
}

function row(item) {
  return h('tr', { dataset: { waId: item.wa_id }, class: item.is_blocked ? 'is-blocked' : '' },
    h('td', { class: 'customer-name' }, h('a', { href: `/app/conversations?wa_id=${encodeURIComponent(item.wa_id)}` }, item.customer_name || '—')),
    h('td', { dir: 'ltr' }, item.wa_id),
    h('td', { class: 'hide-narrow muted' }, (item.last_message_at || '').replace('T', ' ').slice(0, 16)),
    h('td', {}, toggle(item, 'is_favorite')),
    h('td', {}, toggle(item, 'is_blocked')));
}

const more = document.getElementById('customer-more');
let page = 1;

function render(items, { append = false, total = null } = {}) {
  if (!append) { shown.clear(); rows.replaceChildren(); }
  for (const item of items) shown.set(item.wa_id, item);
  rows.append(...items.map(row));
  empty.hidden = shown.size > 0;
  count.textContent = total === null ? String(shown.size) : `${shown.size} / ${total}`;
}

async function search({ append = false } = {}) {
  const q = input.value.trim();
  const mine = ++generation;
  page = append ? page + 1 : 1;
  try {
    const result = q
      ? await get(`/phone/search?q=${encodeURIComponent(q)}&limit=50`)
      : await get(`/phone/all?page=${page}&page_size=100`);
    if (mine !== generation) return;
    if (!result.ok) { toast(messageOf(result), { kind: 'error' }); return; }
    const pages = result.data?.pagination;
    render(result.data?.data || [], { append, total: pages ? pages.total : null });
    more.hidden = !pages || pages.page >= pages.total_pages;
  } catch (err) {
    if (err instanceof RouteMissing) rows.replaceChildren(h('tr', {}, h('td', { colspan: 5, class: 'notice' }, t('unavailable', { route: err.route }))));
  }
  document.body.dataset.ready = 'true';
}

async function setFlag(waId, field, value) {
  const path = field === 'is_blocked' ? 'block' : 'favorite';
  const body = field === 'is_blocked' ? { blocked: value } : { favorite: value };
  const result = await post(`/customers/${encodeURIComponent(waId)}/${path}`, body);
  if (!result.data?.success) { toast(messageOf(result, t('failed')), { kind: 'error' }); return; }
  apply(waId, field, value);
}

function apply(waId, field, value) {
  const item = shown.get(waId);
  if (!item) return;
  item[field] = value;
  const old = rows.querySelector(`tr[data-wa-id="${CSS.escape(waId)}"]`);
  const fresh = row(item);
  fresh.classList.add('flash');
  if (old) old.replaceWith(fresh);
}

input.addEventListener('input', debounce(() => search(), 120));
more.addEventListener('click', () => search({ append: true }));
realtime.on('customer_favorite_updated', ({ data }) => data && apply(data.wa_id, 'is_favorite', Boolean(data.is_favorite)));
realtime.on('customer_block_updated', ({ data }) => data && apply(data.wa_id, 'is_blocked', Boolean(data.is_blocked)));
realtime.on('customer_updated', () => search());  // names and numbers may have changed
realtime.addEventListener('reconnected', () => search());
search();
