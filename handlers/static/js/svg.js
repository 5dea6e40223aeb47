// Small hand-written SVG charts: bars, grouped bars, a line and horizontal bars. No library.
// Each chart is drawn at its container's pixel width (1 unit = 1 px), so text keeps its size.
import { isArabic, formatNumber } from './boot.js';

const NS = 'http://www.w3.org/2000/svg';
const PALETTE = ['#0f766e', '#2563eb', '#d97706', '#b42318', '#7c3aed', '#0891b2'];

function el(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function frame(width, height) {
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
  return svg;
}

function widthOf(container, fallback) {
  return Math.max(240, Math.floor(container.clientWidth || fallback));
}

// Round tick values: integers when the data are counts.
function ticks(max) {
  const step = max <= 4 ? 1 : Math.ceil(max / 4);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const values = [];
  for (let v = 0; v <= top; v += step) values.push(v);
  return { top, values };
}

function empty(container) {
  container.replaceChildren(el('svg', { viewBox: '0 0 300 40' }));
  container.firstChild.append(el('text', { x: 150, y: 24, 'text-anchor': 'middle' }, '—'));
}

// series: [{name, values: [..]}], labels: [..]
export function bars(container, labels, series, { height = 200 } = {}) {
  if (!labels.length) { empty(container); return; }
  const width = widthOf(container, 600);
  const pad = { top: 12, bottom: 34, side: 34 };
  const { top: max, values: tickValues } = ticks(Math.max(...series.flatMap((s) => s.values), 0));
  const svg = frame(width, height);
  const plotH = height - pad.top - pad.bottom;
  const groupW = (width - pad.side * 2) / labels.length;
  const barW = Math.min(36, Math.max(4, (groupW - 8) / series.length));
  for (const tick of tickValues) {
    const y = pad.top + plotH - (plotH * tick) / max;
    svg.append(el('line', { x1: pad.side, x2: width - pad.side, y1: y, y2: y, stroke: '#e5e7eb' }));
    svg.append(el('text', { x: isArabic ? width - 4 : 4, y: y + 4, 'text-anchor': isArabic ? 'end' : 'start' }, formatNumber(tick)));
  }
  labels.forEach((label, i) => {
    const index = isArabic ? labels.length - 1 - i : i; // right to left reading order
    const x0 = pad.side + index * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, j) => {
      const v = s.values[i] || 0;
      const hgt = (plotH * v) / max;
      const rect = el('rect', { x: x0 + j * barW, y: pad.top + plotH - hgt, width: barW - 2, height: Math.max(0, hgt), rx: 2, fill: PALETTE[j % PALETTE.length] });
      rect.append(el('title', {}, `${s.name} · ${label}: ${formatNumber(v, 2)}`));
      svg.append(rect);
    });
    svg.append(el('text', { x: x0 + (barW * series.length) / 2, y: height - 14, 'text-anchor': 'middle' }, String(label).slice(0, 10)));
  });
  container.replaceChildren(svg, legend(series));
}

export function line(container, values, { height = 120, color = PALETTE[0] } = {}) {
  const width = widthOf(container, 600);
  const svg = frame(width, height);
  if (values.length < 2) { container.replaceChildren(svg); return; }
  // The band around the data, so a steady value draws a line in the middle, not on an edge.
  const hi = Math.max(...values);
  const lo = Math.min(...values);
  const spread = (hi - lo) || Math.max(1, Math.abs(hi) * 0.1);
  const max = hi + spread / 2;
  const min = lo - spread / 2;
  const step = width / (values.length - 1);
  const points = values.map((v, i) => {
    const x = isArabic ? width - i * step : i * step;
    return `${x.toFixed(1)},${(height - 6 - ((v - min) / (max - min)) * (height - 12)).toFixed(1)}`;
  });
  svg.append(el('polyline', { points: points.join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }));
  svg.append(el('text', { x: isArabic ? 4 : width - 4, y: 12, 'text-anchor': isArabic ? 'start' : 'end' }, formatNumber(values[values.length - 1], 1)));
  container.replaceChildren(svg);
}

// rows: [{label, value}]
export function hbars(container, rows, { suffix = '' } = {}) {
  if (!rows.length) { empty(container); return; }
  const width = widthOf(container, 420);
  const rowH = 26;
  const svg = frame(width, rows.length * rowH + 6);
  const max = Math.max(1, ...rows.map((r) => r.value));
  const labelW = Math.min(170, Math.floor(width * 0.42));
  rows.forEach((r, i) => {
    const y = i * rowH + 4;
    const w = ((width - labelW - 60) * r.value) / max;
    const x = isArabic ? width - labelW - w : labelW;
    svg.append(el('text', { x: isArabic ? width - 4 : 4, y: y + 15, 'text-anchor': isArabic ? 'end' : 'start' }, r.label));
    svg.append(el('rect', { x, y, width: Math.max(1, w), height: rowH - 8, rx: 3, fill: PALETTE[i % PALETTE.length] }));
    svg.append(el('text', { x: isArabic ? x - 4 : x + w + 4, y: y + 15, 'text-anchor': isArabic ? 'end' : 'start' }, `${formatNumber(r.value, 1)}${suffix}`));
  });
  container.replaceChildren(svg);
}

function legend(series) {
  const box = document.createElement('div');
  box.className = 'legend muted';
  if (series.length < 2) return box;
  series.forEach((s, j) => {
    const key = document.createElement('span');
    key.style.color = PALETTE[j % PALETTE.length];
    key.textContent = '■ ';
    box.append(key, `${s.name}   `);
  });
  return box;
}
