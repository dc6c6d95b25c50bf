// Helpers shared by the views: building elements (text only, never
// HTML), Slurm's state codes and time formats, and the job model that
// events update.

// el makes an element with attributes and children (strings become text).
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== undefined && c !== null) e.append(c);
  }
  return e;
}

// codes are squeue's compact state codes (compat/states.go).
const codes = {
  PENDING: 'PD', RUNNING: 'R', SUSPENDED: 'S', COMPLETED: 'CD', CANCELLED: 'CA', FAILED: 'F',
  TIMEOUT: 'TO', NODE_FAIL: 'NF', PREEMPTED: 'PR', BOOT_FAIL: 'BF', DEADLINE: 'DL',
  OUT_OF_MEMORY: 'OOM', COMPLETING: 'CG', CONFIGURING: 'CF', RESIZING: 'RS', RESV_DEL_HOLD: 'RD',
  REQUEUED: 'RQ', REQUEUE_FED: 'RF', REQUEUE_HOLD: 'RH', REVOKED: 'RV', SIGNALING: 'SI',
  SPECIAL_EXIT: 'SE', STAGE_OUT: 'SO', STOPPED: 'ST',
};

const terminal = new Set(['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL',
  'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'OUT_OF_MEMORY']);

export function stateCode(state) {
  return codes[state] || state || '';
}

export function isTerminal(state) {
  return terminal.has(state);
}

// duration is squeue's TIME format: M:SS, H:MM:SS or D-HH:MM:SS.
export function duration(ms) {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const two = (n) => String(n).padStart(2, '0');
  if (d > 0) return `${d}-${two(h)}:${two(m)}:${two(s)}`;
  if (h > 0) return `${h}:${two(m)}:${two(s)}`;
  return `${m}:${two(s)}`;
}

// clock is a time of day, with the date when it is not today.
export function clock(t) {
  if (!t) return '—';
  const d = new Date(t);
  const now = new Date();
  const time = d.toLocaleTimeString([], { hour12: false });
  return d.toDateString() === now.toDateString() ? time : d.toLocaleDateString() + ' ' + time;
}

// nodeCount counts the hosts of a Slurm host list such as "n[1-3],gpu1".
export function nodeCount(list) {
  if (!list) return 0;
  let n = 0;
  for (const part of list.match(/[^,[]+(\[[^\]]*\])?/g) || []) {
    const r = /\[([^\]]*)\]/.exec(part);
    if (!r) { n++; continue; }
    for (const span of r[1].split(',')) {
      const [a, b] = span.split('-');
      n += b === undefined ? 1 : Math.max(0, Number(b) - Number(a) + 1);
    }
  }
  return n;
}

// cost formats a Cost, or '—' when there is none yet.
export function cost(c) {
  if (!c) return '—';
  return `${c.total.toFixed(4)} ${c.currency} (${c.per_hour.toFixed(4)}/h)`;
}

export function exitCode(x) {
  return x ? `${x.code}:${x.signal}` : '—';
}

// Job is what the events tell about one job.
export class Job {
  constructor(id) {
    this.id = id;
    this.arrayJobId = 0;
    this.name = '';
    this.user = '';
    this.partition = '';
    this.state = '';
    this.reason = '';
    this.node = '';
    this.gate = '';
    this.submitted = null;
    this.started = null;
    this.ended = null;
    this.exit = null;
    this.cost = null;
    this.changed = null; // the time of the last event
    this.history = [];   // {time, type, state, reason} per change of state
  }

  // apply updates the job with one event (not Output).
  apply(ev) {
    const t = Date.parse(ev.time);
    if (ev.type === 'cost') {
      this.cost = ev.cost || this.cost;
      return;
    }
    if (ev.array_job_id) this.arrayJobId = ev.array_job_id;
    if (ev.name) this.name = ev.name;
    if (ev.user) this.user = ev.user;
    if (ev.partition) this.partition = ev.partition;
    switch (ev.type) {
      case 'submitted': this.submitted = t; break;
      case 'started': this.started = t; this.ended = null; this.node = ev.node || this.node; this.gate = ev.gate || this.gate; break;
      case 'finished':
        // a snapshot repeats the end with the time it was taken
        if (!this.ended || !isTerminal(this.state)) this.ended = t;
        this.exit = ev.exit || this.exit;
        break;
      case 'requeued': this.started = null; this.ended = null; this.exit = null; break;
    }
    const prev = this.history[this.history.length - 1];
    if (!prev || prev.state !== ev.state || prev.reason !== (ev.reason || '')) {
      this.history.push({ time: t, type: ev.type, state: ev.state, reason: ev.reason || '' });
    }
    this.state = ev.state || this.state;
    this.reason = ev.reason || '';
    this.changed = t;
  }

  // elapsed is how long the job has run (so far), in ms.
  elapsed(now) {
    if (!this.started) return 0;
    return (this.ended || now) - this.started;
  }
}
