// What every signed-in page shares: the live connection and its banner, toasts, logout.
import { boot, t, h } from './boot.js';
import { signOut } from './api.js';
import { Realtime } from './realtime.js';
import { wireNotifications } from './notifications.js';

export function toast(text, { kind = 'info', action = null, timeout = 6000 } = {}) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const item = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, h('span', {}, text));
  if (action) {
    item.append(h('button', { type: 'button', class: 'link toast-action', onclick: () => { item.remove(); action.run(); } },
      action.label));
  }
  box.append(item);
  setTimeout(() => item.remove(), action ? Math.max(timeout, 10000) : timeout);
}

function wireBanner(realtime) {
  const banner = document.getElementById('conn-banner');
  if (!banner) return;
  let timer = null;
  realtime.on('status', ({ online }) => {
    clearTimeout(timer);
    if (online) {
      if (!banner.hidden) {
        banner.textContent = t('conn_back');
        banner.className = 'banner online';
        timer = setTimeout(() => { banner.hidden = true; }, 1500);
      }
      document.body.classList.remove('offline');
    } else {
      // A short delay avoids flashing the banner on a page change; a real drop shows within a second.
      timer = setTimeout(() => {
        banner.textContent = t('conn_lost');
        banner.className = 'banner offline';
        banner.hidden = false;
        document.body.classList.add('offline');
      }, 700);
    }
  });
}

function wireLogout() {
  const button = document.getElementById('logout');
  if (!button) return;
  button.addEventListener('click', signOut);
}

export function startShell() {
  wireLogout();
  // On a phone the menu scrolls sideways: keep the current page's entry in view.
  document.querySelector('.nav a.current')?.scrollIntoView({ inline: 'center', block: 'nearest' });
  const realtime = new Realtime();
  if (boot.user) {
    wireBanner(realtime);
    wireNotifications(realtime);
    realtime.connect();
    addEventListener('online', () => {
      if (!realtime.socket || realtime.socket.readyState === WebSocket.CLOSED) realtime.connect();
    });
  }
  window.mawidRealtime = realtime; // lets browser tests observe and drop the connection
  return realtime;
}

// Shell for pages without their own module (e.g. the 403 page).
if (document.body.dataset.page && !document.querySelector('script[src*="page-"]')) startShell();
