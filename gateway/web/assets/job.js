// The job view: the job's details, a timeline of its states and its
// output, all live; the output resumes by byte offset after a break.
import { follow } from './stream.js';
import { el, Job, isTerminal, duration, exitCode, clock, cost } from './format.js';

// keep is how many bytes of each output stream the page holds; older
// bytes are dropped from the top.
const keep = 4 << 20;

export function showJob(ctx, id) {
  const job = new Job(id);
  const title = el('h2', null, `Job ${id}`);
  const badge = el('span', { class: 'state', id: 'job-state' }, '…');
  const notices = el('div', { class: 'notices' });
  const facts = el('dl', { class: 'facts' });
  const bar = el('div', { class: 'bar', 'aria-hidden': 'true' });
  const steps = el('ol', { class: 'timeline' });
  const outputs = { stdout: output('stdout'), stderr: output('stderr') };
  outputs.stderr.box.hidden = true;
  ctx.root.append(
    el('div', { class: 'jobhead' }, title, badge),
    notices,
    facts,
    el('section', { id: 'timeline' }, el('h3', null, 'Timeline'), bar, steps),
    outputs.stdout.box, outputs.stderr.box);
  document.title = `Job ${id} · Sky Port`;

  let queued = false;
  function render() {
    queued = false;
    const now = Date.now();
    title.textContent = job.name ? `Job ${id}: ${job.name}` : `Job ${id}`;
    badge.textContent = job.state || 'unknown';
    badge.dataset.state = job.state;
    const items = [
      ['State', job.state ? job.state + (job.reason && job.reason !== 'None' ? ` (${job.reason})` : '') : '—'],
      ['User', job.user || '—'], ['Partition', job.partition || '—'],
      ['Node', job.node ? (job.gate ? `${job.node} (gate ${job.gate})` : job.node) : '—'],
      ['Submitted', clock(job.submitted)], ['Started', clock(job.started)], ['Ended', clock(job.ended)],
      ['Elapsed', job.started ? duration(job.elapsed(now)) : '—'],
      ['Exit code', exitCode(job.exit)], ['Cost', cost(job.cost)],
    ];
    if (job.arrayJobId && job.arrayJobId !== id) items.splice(1, 0, ['Array job', String(job.arrayJobId)]);
    facts.replaceChildren(...items.flatMap(([k, v]) => [el('dt', null, k), el('dd', { 'data-fact': k }, v)]));
    timeline(job, now, bar, steps);
  }
  function later() {
    if (!queued) {
      queued = true;
      requestAnimationFrame(render);
    }
  }

  follow(ctx.token, {
    from: 1, jobs: [id],
    offsets: [{ job_id: id, stream: 'stdout', offset: 0 }, { job_id: id, stream: 'stderr', offset: 0 }],
  }, {
    events(evs) {
      for (const ev of evs) {
        if (ev.job_id !== id) continue;
        if (ev.type === 'output') {
          const o = outputs[ev.stream];
          if (o) o.add(ev.bytes);
        } else {
          job.apply(ev);
        }
      }
      later();
    },
    notice(text) { notices.replaceChildren(el('p', { class: 'notice' }, text)); },
    status(state, text) {
      ctx.status(state, text);
      // the replay and the job's snapshot come before the stream is live
      if (state === 'live' && !job.state) {
        notices.replaceChildren(el('p', { class: 'notice' }, `No job ${id} is known, or none of its events is kept any more.`));
      }
    },
  });
  render();
  setInterval(() => { if (!isTerminal(job.state)) later(); }, 1000);
}

// timeline draws a bar with one segment per state, as long as the job
// stayed in it, and the list of changes with their times.
function timeline(job, now, bar, steps) {
  const h = job.history;
  const end = isTerminal(job.state) ? (h.length ? h[h.length - 1].time : now) : now;
  const start = h.length ? h[0].time : now;
  const span = Math.max(end - start, 1);
  bar.replaceChildren(...h.map((s, i) => {
    const next = i + 1 < h.length ? h[i + 1].time : end;
    const seg = el('span', { class: 'seg', title: `${s.state} ${duration(next - s.time)}` });
    seg.dataset.state = s.state;
    seg.style.flexGrow = String(Math.max((next - s.time) / span, isTerminal(s.state) ? 0.02 : 0.005));
    return seg;
  }));
  steps.replaceChildren(...h.map((s, i) => {
    const next = i + 1 < h.length ? h[i + 1].time : (isTerminal(s.state) ? null : now);
    const li = el('li', null,
      el('time', { datetime: new Date(s.time).toISOString() }, clock(s.time)),
      el('span', { class: 'state' }, s.state),
      s.reason && s.reason !== 'None' ? el('span', { class: 'reason' }, `(${s.reason})`) : null,
      next !== null ? el('span', { class: 'for' }, `for ${duration(next - s.time)}`) : null);
    li.querySelector('.state').dataset.state = s.state;
    return li;
  }));
}

// output is one stream's box: bytes decoded as UTF-8 as they come.
function output(name) {
  const pre = el('pre', { class: 'output', id: name });
  const info = el('span', { class: 'count' });
  const box = el('section', { class: 'out' }, el('h3', null, name + ' ', info), pre);
  const dec = new TextDecoder();
  let size = 0;
  let dropped = 0;
  let text = '';
  return {
    box,
    add(bytes) {
      if (!bytes || bytes.length === 0) return;
      box.hidden = false;
      size += bytes.length;
      text += dec.decode(bytes, { stream: true });
      if (text.length > keep) {
        dropped += text.length - keep;
        text = text.slice(text.length - keep);
      }
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.textContent = text;
      if (atEnd) pre.scrollTop = pre.scrollHeight;
      info.textContent = dropped ? `${size} bytes, the first ${dropped} characters not shown` : `${size} bytes`;
    },
  };
}
