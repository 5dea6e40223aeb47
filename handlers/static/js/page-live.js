// Live metrics: the snapshot's metrics and every `metrics_updated` push, plus a log of live events.
import { t, h, formatNumber } from './boot.js';
import { startShell } from './shell.js';
import { line } from './svg.js';

const realtime = startShell();
realtime.subscribe('metrics_updated'); // the server pushes it only to pages that ask
const TILES = [
  ['process_cpu_percent', 'metric_cpu', 1, 1],
  ['process_memory_bytes', 'metric_memory', 0, 1 / (1024 * 1024)],
  ['reservations_requested_total', 'metric_requested', 0, 1],
  ['reservations_successful_total', 'metric_successful', 0, 1],
  ['reservations_failed_total', 'metric_failed', 0, 1],
  ['reservations_cancellation_successful_total', 'metric_cancel_ok', 0, 1],
  ['reservations_cancellation_failed_total', 'metric_cancel_failed', 0, 1],
  ['reservations_modification_successful_total', 'metric_modify_ok', 0, 1],
  ['reservations_modification_failed_total', 'metric_modify_failed', 0, 1],
];
const history = { cpu: [], memory: [] };

function show(metrics) {
  if (!metrics || typeof metrics !== 'object') return;
  document.getElementById('live-waiting').hidden = true;
  const cpu = metrics.process_cpu_percent ?? metrics.cpu_percent;
  const memory = metrics.process_memory_bytes ?? metrics.memory_bytes;
  document.getElementById('live-tiles').replaceChildren(...TILES.map(([key, label, digits, scale]) => {
    const value = key === 'process_cpu_percent' ? cpu : key === 'process_memory_bytes' ? memory : metrics[key];
    return h('div', { class: 'kpi', dataset: { metric: key } }, h('div', { class: 'kpi-label' }, t(label)),
      h('div', { class: 'kpi-value' }, value === undefined ? '—' : formatNumber(value * scale, digits)));
  }));
  if (cpu !== undefined) history.cpu.push(cpu);
  if (memory !== undefined) history.memory.push(memory / (1024 * 1024));
  for (const list of Object.values(history)) if (list.length > 120) list.shift();
  line(document.getElementById('spark-cpu'), history.cpu);
  line(document.getElementById('spark-memory'), history.memory, { color: '#2563eb' });
  document.body.dataset.ready = 'true';
}

const log = document.getElementById('event-log');
realtime.on('message', (message) => {
  if (['pong', 'snapshot', 'metrics_updated', 'ignored'].includes(message.type) || message.type.endsWith('_ack')) return;
  log.prepend(h('li', {}, `${message.timestamp || ''} ${message.type} ${message.seq ?? ''} ${JSON.stringify(message.data ?? {}).slice(0, 160)}`));
  while (log.children.length > 50) log.lastChild.remove();
});
realtime.on('snapshot', ({ data }) => show(data?.metrics));
realtime.on('metrics_updated', ({ data }) => show(data?.metrics));
