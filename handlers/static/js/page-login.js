import { t } from './boot.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const body = new URLSearchParams(new FormData(form));
  let response;
  try {
    response = await fetch('/auth/jwt/login', {
      method: 'POST', credentials: 'same-origin', body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    });
  } catch {
    error.textContent = t('failed');
    error.hidden = false;
    return;
  }
  if (response.ok) {
    location.assign(form.dataset.next || '/app');
    return;
  }
  error.textContent = response.status === 429 ? t('login_throttled')
    : response.status === 404 ? t('unavailable', { route: 'POST /auth/jwt/login' }) : t('login_failed');
  error.hidden = false;
});
