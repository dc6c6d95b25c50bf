// The queue view: squeue's default columns for the jobs that have not
// ended, and sacct-like rows for the jobs that ended, updated live from
// every event the daemon still keeps.
import { follow } from './stream.js';
import { el, Job, stateCode, isTerminal, duration, nodeCount, exitCode, clock, cost } from './format.js';

const maxFinished = 200;

export function showQueue(ctx) {
  const jobs = new Map();
  const notices = el('div', { class: 'notices' });
  const active = el('tbody');
  const finished = el('tbody');
  const activeCount = el('span', { class: 'count' });
  const finishedCount = el('span', { class: 'count' });
  ctx.root.append(
    notices,
    el('section', { id: 'queue' },
      el('h2', null, 'Queue ', activeCount),
      el('table', { class: 'jobs' },
        el('thead', null, row('th', ['JOBID', 'PARTITION', 'NAME', 'USER', 'ST', 'TIME', 'NODES', 'NODELIST(REASON)'])),
        active)),
    el('section', { id: 'finished' },
      el('h2', null, 'Finished ', finishedCount),
      el('table', { class: 'jobs' },
        el('thead', null, row('th', ['JOBID', 'PARTITION', 'NAME', 'USER', 'STATE', 'ELAPSED', 'EXITCODE', 'NODELIST', 'END', 'COST'])),
        finished)));
  document.title = 'Queue · Sky Port';

  let queued = false;
  function render() {
    queued = false;
    const now = Date.now();
    const all = [...jobs.values()];
    const live = all.filter((j) => !isTerminal(j.state)).sort((a, b) => a.id - b.id);
    const done = all.filter((j) => isTerminal(j.state)).sort((a, b) => (b.ended || 0) - (a.ended || 0) || b.id - a.id);
    active.replaceChildren(...live.map((j) => {
      const where = j.state === 'PENDING' || !j.node ? `(${j.reason || 'None'})` : j.node;
      const tr = row('td', [link(j), j.partition, j.name, j.user, stateCode(j.state),
        duration(j.elapsed(now)), j.node ? String(nodeCount(j.node)) : '', where]);
      tr.dataset.job = j.id;
      tr.dataset.state = j.state;
      return tr;
    }));
    if (live.length === 0) active.append(el('tr', null, el('td', { colspan: 8, class: 'empty' }, 'No jobs in the queue.')));
    finished.replaceChildren(...done.slice(0, maxFinished).map((j) => {
      const tr = row('td', [link(j), j.partition, j.name, j.user, j.state, duration(j.elapsed(now)),
        exitCode(j.exit), j.node || 'None assigned', clock(j.ended), cost(j.cost)]);
      tr.dataset.job = j.id;
      tr.dataset.state = j.state;
      return tr;
    }));
    if (done.length === 0) finished.append(el('tr', null, el('td', { colspan: 10, class: 'empty' }, 'No finished jobs.')));
    activeCount.textContent = String(live.length);
    finishedCount.textContent = done.length > maxFinished ? `${maxFinished} of ${done.length}` : String(done.length);
  }
  function later() {
    if (!queued) {
      queued = true;
      requestAnimationFrame(render);
    }
  }

  const types = ['submitted', 'state', 'started', 'finished', 'requeued', 'cost'];
  follow(ctx.token, { from: 1, types }, {
    events(evs) {
      for (const ev of evs) {
        let j = jobs.get(ev.job_id);
        if (!j) jobs.set(ev.job_id, (j = new Job(ev.job_id)));
        j.apply(ev);
      }
      later();
    },
    notice(text) { notices.replaceChildren(el('p', { class: 'notice' }, text)); },
    status: ctx.status,
  });
  render();
  setInterval(later, 1000); // TIME goes on for running jobs
}

function link(j) {
  const a = el('a', { href: `/jobs/${j.id}` }, String(j.id));
  if (j.arrayJobId && j.arrayJobId !== j.id) {
    return el('span', null, a, el('span', { class: 'array', title: 'task of array job ' + j.arrayJobId }, ` (${j.arrayJobId}_)`));
  }
  return a;
}

function row(cell, values) {
  return el('tr', null, ...values.map((v) => el(cell, null, v)));
}
