// Same-origin calls to Mawid's REST routes with the login cookie.
// A 401 triggers one silent refresh (rotating refresh cookie); if that fails the browser goes to /login.

export class RouteMissing extends Error {
  constructor(route) { super(`missing route ${route}`); this.route = route; }
}

let refreshing = null;

// One refresh at a time for the whole page: the refresh token rotates on every use, and
// presenting a spent one twice would revoke the session. Resolves to the HTTP status (0: offline).
export async function refreshSession() {
  if (signingOut) return 401;
  if (!refreshing) {
    refreshing = fetch('/auth/jwt/refresh', { method: 'POST', credentials: 'same-origin' })
      .then((r) => r.status)
      .catch(() => 0)
      .finally(() => { setTimeout(() => { refreshing = null; }, 1000); });
  }
  return refreshing;
}

// Once the user signs out, requests still in flight come back 401: they must neither try a refresh nor send
// the page to /login?next=… in place of the sign-out's own /login.
let signingOut = false;

export async function signOut() {
  signingOut = true;
  try { await fetch('/auth/jwt/logout', { method: 'POST', credentials: 'same-origin' }); } catch { /* go anyway */ }
  location.assign('/login');
}

export function toLogin() {
  if (signingOut) return;
  const next = encodeURIComponent(location.pathname + location.search);
  location.assign(`/login?next=${next}`);
}

export async function api(method, path, body, { retry = true } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401 && retry) {
    const status = await refreshSession();
    if (status >= 200 && status < 300) return api(method, path, body, { retry: false });
    toLogin();
    throw new Error('not signed in');
  }
  let data = null;
  const text = await response.text();
  try { data = text ? JSON.parse(text) : null; } catch { data = { message: text }; }
  if (response.status === 404 && data && data.detail === 'Not Found') {
    throw new RouteMissing(`${method} ${path.split('?')[0]}`);
  }
  return { ok: response.ok, status: response.status, data };
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});

// The message a failed call should show: the API's own `message`, else `detail`/`error`.
export function messageOf(result, fallback = 'Failed') {
  const d = result && result.data;
  if (!d) return fallback;
  if (typeof d.message === 'string' && d.message) return d.message;
  if (typeof d.detail === 'string') return d.detail;
  if (typeof d.error === 'string') return d.error;
  return fallback;
}

// `/reservations` and similar answer `{success, data}`; some answer a bare value (e.g. `/vacations`).
export function payload(result) {
  const d = result && result.data;
  if (d && typeof d === 'object' && !Array.isArray(d) && 'success' in d) return d.data;
  return d;
}
