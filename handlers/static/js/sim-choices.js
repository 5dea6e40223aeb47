// The simulator's view of the assistant's latest WhatsApp message when it offers choices: a list
// (sections of rows behind its button), reply buttons, or a template's quick-reply buttons. Tapping
// one sends what WhatsApp would: a list_reply / button_reply, or a template `button` with its payload.
import { t, h } from './boot.js';

// A template's buttons carry only payloads: their labels are the approved template's, shown here by action.
const QUICK_REPLY_LABELS = {
  'remind:confirm': 'sim_tap_confirm', 'remind:reschedule': 'sim_tap_reschedule', 'remind:cancel': 'sim_tap_cancel',
  'wait:accept': 'sim_tap_accept', 'wait:decline': 'sim_tap_decline',
};

function quickReplyLabel(payload) {
  const action = payload.split(':').slice(0, 2).join(':');
  return QUICK_REPLY_LABELS[action] ? t(QUICK_REPLY_LABELS[action]) : payload;
}

// The taps a message offers: [{section, kind, id, title, description}], or [] when it offers none.
export function tapsOf(message) {
  const payload = message?.payload || {};
  if (message?.kind === 'interactive') {
    const interactive = payload.interactive || {};
    if (interactive.type === 'list') {
      return (interactive.action?.sections || []).flatMap((section) => (section.rows || []).map((row) => ({
        section: section.title, kind: 'list_reply', id: row.id, title: row.title, description: row.description })));
    }
    return (interactive.action?.buttons || []).map((b) => ({ kind: 'button_reply', id: b.reply.id, title: b.reply.title }));
  }
  if (message?.kind === 'template') {
    return (payload.template?.components || []).filter((c) => c.type === 'button' && c.sub_type === 'quick_reply')
      .map((c) => { const id = c.parameters?.[0]?.payload || ''; return { kind: 'quick_reply', id, title: quickReplyLabel(id) }; });
  }
  return [];
}

// Render the taps of `message` into `box`; `onTap(tap)` sends the chosen one.
export function renderTaps(box, message, onTap) {
  const taps = tapsOf(message);
  box.hidden = taps.length === 0;
  if (!taps.length) { box.replaceChildren(); return; }
  const body = message.payload?.interactive?.body?.text;
  const children = [];
  if (body) children.push(h('p', { class: 'sim-choice-body' }, body));
  const button = (tap) => h('button', { type: 'button', class: `sim-tap ${tap.kind}`, dataset: { id: tap.id },
    onclick: () => onTap(tap) }, tap.title, tap.description ? h('small', {}, ` ${tap.description}`) : null);
  if (taps[0].kind === 'list_reply') {
    const label = message.payload.interactive.action.button || t('sim_open_list');
    const sections = [...new Set(taps.map((tap) => tap.section))].map((title) => h('fieldset', { class: 'sim-section' },
      h('legend', {}, title), ...taps.filter((tap) => tap.section === title).map(button)));
    const rows = h('div', { class: 'sim-list', hidden: true }, ...sections);
    children.push(h('button', { type: 'button', class: 'sim-list-open', onclick: () => { rows.hidden = !rows.hidden; } },
      label), rows);
  } else {
    children.push(h('div', { class: 'row wrap sim-buttons' }, ...taps.map(button)));
  }
  box.replaceChildren(...children);
}
