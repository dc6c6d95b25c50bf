// The client of skyportd's event stream (the wire types are in
// gateway/api/stream/wire.go): one websocket, resumed after a break from
// the first event missed and from the output offsets reached, so that
// every event and output byte arrives once and in order.

const path = '/v1/stream';
const protocol = 'skyport.v1';
const bearer = 'skyport.bearer.';

// follow subscribes with sub and calls h.events(list) with each batch of
// new events, h.notice(text) with the daemon's notices and
// h.status(state, text) when the connection changes; it returns a
// function that ends the subscription. Output events are cut so that no
// byte is passed twice.
export function follow(token, sub, h) {
  const offsets = new Map();
  for (const o of sub.offsets || []) offsets.set(key(o.job_id, o.stream), o.offset);
  let last = 0;        // the newest sequence number seen
  let opened = false;  // a connection was ever accepted
  let failures = 0;
  let ws = null;
  let timer = 0;
  let stopped = false;

  function connect() {
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
    ws = new WebSocket(url, [protocol, bearer + token]);
    ws.onopen = () => {
      const s = Object.assign({}, sub, {
        from: last > 0 ? last + 1 : (sub.from || 0),
        offsets: [...offsets].map(([k, off]) => {
          const [id, stream] = k.split('/');
          return { job_id: Number(id), stream, offset: off };
        }),
      });
      ws.send(JSON.stringify(s));
    };
    ws.onmessage = (m) => {
      let f;
      try { f = JSON.parse(m.data); } catch { return; }
      if (f.events) h.events(f.events.map(cut).filter(Boolean));
      if (f.ready) {
        last = Math.max(last, f.ready.seq);
        opened = true;
        failures = 0;
        h.status('live', 'live');
      }
      if (f.gap) h.notice(`Events ${f.gap.from} to ${f.gap.to - 1} are no longer kept.`);
      if (f.lagged) {
        last = Math.max(last, f.lagged.resume - 1);
        if (!f.lagged.closing) h.notice(`Too slow: events skipped from ${f.lagged.resume}.`);
      }
      if (f.error) {
        stopped = true;
        h.status('error', 'refused');
        h.notice('The daemon refused the subscription: ' + f.error);
      }
    };
    ws.onclose = () => {
      if (stopped) return;
      failures++;
      if (!opened && failures >= 3) {
        h.status('error', 'cannot connect');
        h.notice('Cannot connect: the daemon is down, or the token is wrong (open the address `skyport dashboard` prints). Retrying.');
      } else {
        h.status('reconnecting', 'reconnecting');
      }
      timer = setTimeout(connect, Math.min(500 * 2 ** Math.min(failures, 4), 8000));
    };
  }

  // cut drops what was seen and the output bytes already passed on.
  function cut(ev) {
    if (ev.type !== 'output') {
      last = Math.max(last, ev.seq);
      return ev;
    }
    last = Math.max(last, ev.seq);
    const k = key(ev.job_id, ev.stream);
    const data = decode(ev.data);
    const have = offsets.has(k) ? offsets.get(k) : ev.offset;
    const end = ev.offset + data.length;
    if (end <= have) return null;
    const from = Math.max(have - ev.offset, 0);
    offsets.set(k, end);
    return Object.assign({}, ev, { offset: ev.offset + from, bytes: data.subarray(from) });
  }

  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (ws) ws.close();
  };
}

function key(id, stream) {
  return id + '/' + stream;
}

// decode turns JSON's base64 of a []byte into bytes.
function decode(b64) {
  if (!b64) return new Uint8Array(0);
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
