// Analytics from GET /stats: KPI cards with trends and hand-drawn SVG charts; refreshed live.
import { boot, t, h, debounce, addDays, todayLocal, formatNumber, lang } from './boot.js';
import { get, messageOf, RouteMissing } from './api.js';
import { startShell, toast } from './shell.js';
import { bars, hbars } from './svg.js';

const realtime = startShell();
const form = document.getElementById('stats-range');
form.elements.to_date.value = todayLocal();
form.elements.from_date.value = addDays(todayLocal(), -29);

const KPIS = [
  ['totalReservations', 'kpi_total_reservations', 'totalReservations', 0, ''],
  ['totalCancellations', 'kpi_cancellations', 'cancellations', 0, ''],
  ['uniqueCustomers', 'kpi_unique_customers', 'uniqueCustomers', 0, ''],
  ['conversionRate', 'kpi_conversion', 'conversionRate', 1, '%'],
  ['returningRate', 'kpi_returning', null, 1, '%'],
  ['avgResponseTime', 'kpi_response', 'avgResponseTime', 1, ''],
  ['activeCustomers', 'kpi_active', null, 0, ''],
];

// /stats labels are English by contract (spec 30 §5.6); the page translates the known ones.
const label = (prefix, text) => boot.strings[`${prefix}_${text}`] ?? text;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
function weekday(name) {
  const index = WEEKDAYS.indexOf(name);
  if (index < 0) return name;
  // 2023-01-01 was a Sunday.
  return new Intl.DateTimeFormat(lang, { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 0, 1 + index)));
}

function kpis(stats) {
  const box = document.getElementById('kpis');
  box.replaceChildren(...KPIS.map(([key, label, trendKey, digits, suffix]) => {
    const trend = trendKey && stats.trends ? stats.trends[trendKey] : null;
    return h('div', { class: 'kpi', dataset: { kpi: key } },
      h('div', { class: 'kpi-label' }, t(label)),
      h('div', { class: 'kpi-value' }, `${formatNumber(stats[key], digits)}${suffix}`),
      trend ? h('div', { class: `trend ${trend.isPositive ? 'good' : 'bad'}` },
        `${trend.percentChange >= 0 ? '▲' : '▼'} ${formatNumber(Math.abs(trend.percentChange), 1)}%`) : null);
  }));
}

function draw(data) {
  kpis(data.stats || {});
  const daily = data.dailyTrends || [];
  bars(document.getElementById('chart-daily'), daily.map((d) => d.date.slice(5)), [
    { name: t('reservations'), values: daily.map((d) => d.reservations) },
    { name: t('cancellations'), values: daily.map((d) => d.cancellations) },
  ]);
  hbars(document.getElementById('chart-types'), (data.typeDistribution || []).map((d) => ({ label: t(`type_${d.type}`), value: d.count })));
  const week = data.dayOfWeekData || [];
  bars(document.getElementById('chart-weekday'), week.map((d) => weekday(d.day)), [
    { name: t('reservations'), values: week.map((d) => d.reservations) },
    { name: t('cancellations'), values: week.map((d) => d.cancellations) },
  ]);
  const slots = data.timeSlots || [];
  bars(document.getElementById('chart-slots'), slots.map((s) => s.slot), [{ name: t('reservations'), values: slots.map((s) => s.count) }]);
  hbars(document.getElementById('chart-funnel'), (data.funnelData || []).map((f) => ({ label: label('funnel', f.stage), value: f.count })));
  hbars(document.getElementById('chart-segments'), (data.customerSegments || []).map((s) => ({ label: label('segment', s.segment), value: s.count })));
  const months = data.monthlyTrends || [];
  bars(document.getElementById('chart-monthly'), months.map((m) => m.month), [
    { name: t('reservations'), values: months.map((m) => m.reservations) },
    { name: t('cancellations'), values: months.map((m) => m.cancellations) },
    { name: t('messages'), values: months.map((m) => m.conversations) },
  ]);
  document.getElementById('top-customers').replaceChildren(...(data.topCustomers || []).slice(0, 10).map((c) =>
    h('li', {}, h('a', { href: `/app/conversations?wa_id=${encodeURIComponent(c.wa_id)}`, dir: 'ltr' }, c.wa_id),
      h('span', { class: 'muted' }, `${formatNumber(c.messageCount)} ${t('messages')} · ${formatNumber(c.reservationCount)} ${t('reservations')}`))));
}

let last = null;
addEventListener('resize', debounce(() => { if (last) draw(last); }, 200));

async function load() {
  const { from_date: from, to_date: to } = Object.fromEntries(new FormData(form));
  try {
    const result = await get(`/stats?from_date=${from}&to_date=${to}&locale=${lang}`);
    if (!result.ok || !result.data?.success) { toast(messageOf(result, t('failed')), { kind: 'error' }); return; }
    last = result.data.data;
    draw(last);
  } catch (err) {
    if (err instanceof RouteMissing) document.getElementById('kpis').replaceChildren(h('p', { class: 'notice' }, t('unavailable', { route: err.route })));
  }
  document.body.dataset.ready = 'true';
}

form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
const loadSoon = debounce(load, 1500);
for (const type of ['reservation_created', 'reservation_updated', 'reservation_reinstated', 'reservation_cancelled', 'conversation_new_message']) {
  realtime.on(type, loadSoon);
}
realtime.addEventListener('reconnected', load);
load();
