// Drives the dashboard in Debian's chromium for gateway/web's
// TestDashboardInChromium, which starts this script and talks with it in
// lines: this script prints "ready" (the queue page is live), reads
// "jobs A D B C" (A prints a line, waits for a file, prints another;
// D runs until the end; B and C wait for a CPU), prints "saw-first"
// once A's page shows A's first line live, and "done" at the end.
// Environment: DASHBOARD_URL (with #token=...), CHROMIUM, SCREENSHOT_DIR.
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

const input = createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();
const send = (s) => process.stdout.write(s + '\n');
const check = (ok, what) => { if (!ok) throw new Error('dashboard: ' + what); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(20000);
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} for ${r.url()}`); });

  await page.goto(process.env.DASHBOARD_URL);
  await page.locator('#status[data-state="live"]').waitFor();
  check(!page.url().includes('token'), 'the token stayed in the address: ' + page.url());
  send('ready');

  const { value } = await lines.next();
  const [a, d, b, c] = value.trim().split(/\s+/).slice(1).map(Number);
  const queued = (id, state) => page.locator(`#queue tr[data-job="${id}"][data-state="${state}"]`);
  const ended = (id) => page.locator(`#finished tr[data-job="${id}"][data-state="COMPLETED"]`);

  // The queue, live: A and D run, B waits with a reason, as squeue shows.
  await queued(a, 'RUNNING').waitFor();
  await queued(d, 'RUNNING').waitFor();
  await queued(b, 'PENDING').waitFor();
  const rowB = await queued(b, 'PENDING').locator('td').allInnerTexts();
  check(rowB[4] === 'PD' && /^\(.+\)$/.test(rowB[7]), 'pending row: ' + rowB.join(' | '));
  const rowA = await queued(a, 'RUNNING').locator('td').allInnerTexts();
  check(rowA[1] === 'debug' && rowA[2] === 'live-a' && rowA[4] === 'R' && rowA[6] === '1' && rowA[7] !== '', 'running row: ' + rowA.join(' | '));
  await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, 'dashboard-queue-live.png'), fullPage: true });

  // A's page in the same tab (the token is in sessionStorage now): its
  // first line shows while it still runs.
  await page.click(`#queue a[href="/jobs/${a}"]`);
  await page.waitForURL(`**/jobs/${a}`);
  await page.locator('#stdout', { hasText: 'first-line' }).waitFor();
  await page.locator('#job-state[data-state="RUNNING"]').waitFor();
  check(!(await page.locator('#stdout').innerText()).includes('second-line'), 'second line before the go');
  send('saw-first');

  await page.locator('#stdout', { hasText: 'second-line' }).waitFor();
  await page.locator('#job-state[data-state="COMPLETED"]').waitFor();
  const fact = (k) => page.locator(`dd[data-fact="${k}"]`).innerText();
  check((await fact('Exit code')) === '0:0', 'exit code ' + (await fact('Exit code')));
  check((await fact('Cost')) === '—', 'cost ' + (await fact('Cost')));
  check((await fact('Node')) !== '—', 'no node');
  const steps = await page.locator('.timeline .state').allInnerTexts();
  check(/^PENDING( CONFIGURING)? RUNNING COMPLETED$/.test(steps.join(' ')), 'timeline ' + steps.join(' '));
  check((await page.locator('#stdout').innerText()) === 'first-line\nsecond-line\n', 'output ' + JSON.stringify(await page.locator('#stdout').innerText()));
  await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, 'dashboard-job.png'), fullPage: true });

  // Back to the queue: A, B and C ended, D still runs.
  await page.click('header nav a');
  await page.waitForURL((u) => u.pathname === '/');
  for (const id of [a, b, c]) await ended(id).waitFor();
  await queued(d, 'RUNNING').waitFor();
  const rowC = await ended(c).locator('td').allInnerTexts();
  check(rowC[2] === 'hello-c' && rowC[4] === 'COMPLETED' && rowC[6] === '0:0', 'finished row: ' + rowC.join(' | '));
  await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, 'dashboard-queue.png'), fullPage: true });

  // An ended job's output is read back from its file by offset.
  await page.click(`#finished a[href="/jobs/${b}"]`);
  await page.locator('#stdout', { hasText: 'hello from b' }).waitFor();
  await page.locator('#stderr', { hasText: 'to stderr' }).waitFor();

  check(problems.length === 0, problems.join('; '));
  send('done');
} finally {
  input.close();
  await browser.close();
}
