// Users and roles (admins): list, add, change role, enable/disable, delete — the /users routes.
import { boot, t, h } from './boot.js';
import { api, get, post, messageOf, RouteMissing } from './api.js';
import { startShell, toast } from './shell.js';

startShell();
const rows = document.getElementById('user-rows');
const form = document.getElementById('user-form');
const errorBox = document.getElementById('user-error');
const ROLES = ['admin', 'staff', 'viewer'];

function row(user) {
  const self = boot.user && user.id === boot.user.id;
  const select = h('select', { 'aria-label': t('role'), disabled: self, dataset: { userId: user.id } },
    ...ROLES.map((r) => h('option', { value: r, selected: r === user.role }, t(`role_${r}`))));
  select.addEventListener('change', () => update(user, { role: select.value }));
  const active = h('input', { type: 'checkbox', checked: user.is_active, disabled: self, 'aria-label': t('active') });
  active.addEventListener('change', () => update(user, { is_active: active.checked }));
  return h('tr', { dataset: { email: user.email } }, h('td', {}, user.email), h('td', {}, select), h('td', {}, active),
    h('td', {}, self ? '' : h('button', { type: 'button', class: 'link danger', onclick: () => remove(user) }, t('delete'))));
}

async function load() {
  try {
    const result = await get('/users');
    if (!result.ok) { toast(messageOf(result), { kind: 'error' }); return; }
    const users = Array.isArray(result.data) ? result.data : (result.data?.data || []);
    rows.replaceChildren(...users.sort((a, b) => a.email.localeCompare(b.email)).map(row));
  } catch (err) {
    if (err instanceof RouteMissing) {
      const box = document.getElementById('users-unavailable');
      box.textContent = t('unavailable', { route: err.route });
      box.hidden = false;
    }
  }
  document.body.dataset.ready = 'true';
}

async function update(user, changes) {
  const result = await api('PATCH', `/users/${user.id}`, changes);
  toast(result.ok ? `${user.email}: ${t('save')} ✓` : messageOf(result, t('failed')), { kind: result.ok ? 'success' : 'error' });
  load();
}

async function remove(user) {
  const result = await api('DELETE', `/users/${user.id}`);
  if (!result.ok) toast(messageOf(result, t('failed')), { kind: 'error' });
  load();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const values = Object.fromEntries(new FormData(form));
  const result = await post('/auth/register', values);
  if (!result.ok) {
    const detail = result.data?.detail;
    errorBox.textContent = typeof detail === 'object' && detail?.reason ? detail.reason : messageOf(result, t('failed'));
    errorBox.hidden = false;
    return;
  }
  form.reset();
  load();
});
load();
