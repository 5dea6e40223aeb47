// Page boot data rendered by the server: language, strings, the signed-in user and what they may do.
const node = document.getElementById('mawid-boot');
export const boot = node ? JSON.parse(node.textContent) : { lang: 'en', strings: {}, user: null };
export const lang = boot.lang;
export const isArabic = lang === 'ar';

export function t(key, vars = {}) {
  let text = boot.strings[key] ?? key;
  for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

// Element helper: h('li', {class: 'x', onclick}, 'text', child)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// Dates are business-local `YYYY-MM-DD` strings; arithmetic is done at noon UTC so DST never shifts a day.
export function isoDate(d) { return d.toISOString().slice(0, 10); }
export function parseDay(s) { return new Date(`${s}T12:00:00Z`); }
export function addDays(s, n) { const d = parseDay(s); d.setUTCDate(d.getUTCDate() + n); return isoDate(d); }
// "Today" in the business time zone (the server's TIMEZONE), whatever the browser's zone is.
export function todayLocal() {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: boot.timezone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .format(new Date());
  } catch {
    return boot.today || isoDate(new Date());
  }
}
export function formatDay(s, opts = { weekday: 'short', day: 'numeric', month: 'short' }) {
  return new Intl.DateTimeFormat(isArabic ? 'ar' : 'en', { timeZone: 'UTC', ...opts }).format(parseDay(s));
}
export function formatNumber(n, digits = 0) {
  return new Intl.NumberFormat(isArabic ? 'ar' : 'en', { maximumFractionDigits: digits }).format(n ?? 0);
}
