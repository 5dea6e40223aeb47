// The page's one connection to `/ws`: events in, commands out, resume after a drop.
//
// Every broadcast carries a sequence number (`seq`); the last one seen is sent back
// on reconnect as `?since=` so the server replays what was missed, each event once.
// If it cannot, it answers `resync` and pages reload from REST (`reconnected`).

import { refreshSession, toLogin } from './api.js';

const TAB_KEY = 'mawid_ws_tab';
const PING_MS = 25000;
const REPLIES = new Set(['pong', 'snapshot', 'filter_ack', 'notifications_history']);

function tabId(fresh = false) {
  try {
    let id = fresh ? null : sessionStorage.getItem(TAB_KEY);
    if (!id) {
      id = `${Math.random().toString(36).slice(2, 10)}-${Date.now().toString(36)}`;
      sessionStorage.setItem(TAB_KEY, id);
    }
    return id;
  } catch {
    return String(Date.now());
  }
}

function sequenceOf(message) {
  const value = message.seq ?? message.sequence ?? message.event_id;
  return Number.isInteger(value) ? value : null;
}

export class Realtime extends EventTarget {
  constructor() {
    super();
    this.tab = tabId();
    this.lastSeq = null; // position to resume from (`?since=`)
    this.lastEventSeq = null; // newest broadcast applied, to skip a replayed duplicate
    this.attempt = 0;
    this.everOpen = false;
    this.socket = null;
    this.pending = new Map(); // reply type -> [resolve]
    this.online = false;
    this.stopped = false;
    this.subscriptions = new Set(); // broadcasts sent only on request (`metrics_updated`)
  }

  // Ask for broadcasts the server sends only to clients that subscribe; kept across reconnects.
  subscribe(...types) {
    for (const type of types) this.subscriptions.add(type);
    this.send({ type: 'subscribe', data: { types: [...this.subscriptions] } });
  }

  url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const params = new URLSearchParams({ tab: this.tab });
    if (this.lastSeq !== null) params.set('since', String(this.lastSeq));
    // Named on the upgrade too: the server replays what was missed before it reads any frame.
    if (this.subscriptions.size) params.set('subscribe', [...this.subscriptions].join(','));
    return `${scheme}//${location.host}/ws?${params}`;
  }

  connect() {
    this.stopped = false;
    const socket = new WebSocket(this.url());
    this.socket = socket;
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
      const reconnect = this.everOpen;
      this.everOpen = true;
      this.attempt = 0;
      // Subscriptions first: the server reads a socket's frames in order, so nothing asked after this misses them.
      if (this.subscriptions.size) this.send({ type: 'subscribe', data: { types: [...this.subscriptions] } });
      this.setOnline(true);
      this.send({ type: 'get_snapshot' });
      clearInterval(this.pinger);
      this.pinger = setInterval(() => this.send({ type: 'ping' }), PING_MS);
      // With a position the server replays the gap; without one the page must reload.
      if (reconnect && this.lastSeq === null) this.dispatchEvent(new CustomEvent('reconnected'));
    });
    socket.addEventListener('message', (frame) => this.receive(frame.data));
    socket.addEventListener('close', (event) => {
      clearInterval(this.pinger);
      if (this.socket !== socket) return;
      this.setOnline(false);
      if (this.stopped) return;
      // 1000 from the server means "replaced by a newer connection with this tab id": a duplicated
      // browser tab copies its id. Come back under an id of our own, so the two tabs stop evicting
      // each other and neither is left silently stale.
      if (event.code === 1000) this.tab = tabId(true);
      this.attempt += 1;
      // A refused upgrade is most often an expired access cookie: renew it before retrying.
      // Only a definite "no session" (401) leads to the login page; a server that is down keeps
      // the page, its banner and its retries.
      // 4401: the server ended the socket's session (token expired, account disabled or changed).
      if (!opened || event.code === 4401) refreshSession().then((status) => { if (status === 401) toLogin(); });
      const delay = Math.min(500 * this.attempt, 15000) + Math.floor(Math.random() * 300);
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.connect(), delay);
    });
    socket.addEventListener('error', () => {});
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retry);
    if (this.socket) this.socket.close(1000, 'Manual disconnect');
  }

  setOnline(value) {
    if (this.online === value) return;
    this.online = value;
    this.dispatchEvent(new CustomEvent('status', { detail: { online: value, everOpen: this.everOpen } }));
  }

  receive(text) {
    let message;
    try { message = JSON.parse(text); } catch { return; }
    if (!message || typeof message !== 'object') return;
    if (message.type === 'resync') {
      // The server cannot replay from our position (pruned, or its log was reset): adopt its
      // current position, forget ours, and reload everything from REST.
      const position = Number.isInteger(message.data?.seq) ? message.data.seq : null;
      this.lastSeq = position;
      this.lastEventSeq = position;
      this.dispatchEvent(new CustomEvent('reconnected', { detail: { resync: true } }));
      this.dispatchEvent(new CustomEvent('resync', { detail: message }));
      return;
    }
    const seq = sequenceOf(message);
    if (seq !== null) {
      if (REPLIES.has(message.type)) {
        // Replies tell the current position without being events themselves.
        this.lastSeq = Math.max(this.lastSeq ?? 0, seq);
      } else {
        if (this.lastEventSeq !== null && seq <= this.lastEventSeq) return; // already applied
        this.lastEventSeq = seq;
        this.lastSeq = Math.max(this.lastSeq ?? 0, seq);
      }
    }
    const waiters = this.pending.get(message.type);
    if (waiters && waiters.length) waiters.shift()(message);
    this.dispatchEvent(new CustomEvent('message', { detail: message }));
    this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  // Send a command and wait for its ack or nack (whichever comes first).
  request(message, ackType, nackType, timeoutMs = 10000) {
    return new Promise((resolve) => {
      if (!this.send(message)) { resolve({ type: nackType, error: 'offline' }); return; }
      let done = false;
      const finish = (reply) => {
        if (done) return;
        done = true;
        for (const type of [ackType, nackType]) {
          const list = this.pending.get(type) || [];
          const i = list.indexOf(finish);
          if (i >= 0) list.splice(i, 1);
        }
        resolve(reply);
      };
      for (const type of [ackType, nackType]) {
        if (!this.pending.has(type)) this.pending.set(type, []);
        this.pending.get(type).push(finish);
      }
      setTimeout(() => finish({ type: nackType, error: 'Request timed out' }), timeoutMs);
    });
  }

  on(type, handler) {
    this.addEventListener(type, (event) => handler(event.detail));
  }
}
