// Resource samples and calm numbers in the browser: a session holding `resource` events (CPU time and RSS of each
// traced process, as `record` samples them) shows CPU and memory lanes on the timeline and the peaks on the Overview,
// from the NDJSON file and from the session store's .db alike; failed opens are errors only when they are (a refused
// open, a failed write), look-ups of files that are not there are counted apart, and every card says on hover what it
// counts. The session is written here, by hand, as live capture writes these events.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, numberOf, runHost, startHost, storeSession, tempDir } from './support.mjs';

const base = 1795514400000000000n; // 2026-11-24T10:00:00Z
const at = (seconds) => base + BigInt(Math.round(seconds * 1e6)) * 1000n;
const lines = [];
const event = (t, source, pid, comm, data) =>
  lines.push(`{"timestamp":${at(t)},"source":"${source}","pid":${pid},"tid":${pid},"comm":"${comm}","data":${JSON.stringify(data)}}`);
const proc = (t, pid, comm, data) => event(t, 'process', pid, comm, data);
const open = (t, pid, comm, filepath, flags, result) => proc(t, pid, comm, { event: 'FILE_OPEN', filepath, flags, mode: 0, syscall: 'openat', ...result });
const MiB = 1024 * 1024;
const sample = (t, pid, comm, cpuPercent, rssMiB, cpuMs) => event(t, 'resource', pid, comm,
  { cpu_user_ms: cpuMs, cpu_system_ms: Math.round(cpuMs / 10), cpu_percent: cpuPercent, interval_ms: 1000, rss_bytes: rssMiB * MiB, threads: 4 });

proc(0, 100, 'bash', { event: 'EXEC', ppid: 1, filename: '/usr/bin/bash', argv: ['bash'] });
proc(0.1, 200, 'bash', { event: 'FORK', ppid: 100 });
proc(0.11, 200, 'python3', { event: 'EXEC', ppid: 100, filename: '/usr/bin/python3', argv: ['python3', 'agent.py'] });
// Python's normal start: look-ups of files that are not there.
open(0.12, 200, 'python3', '/usr/bin/pyvenv.cfg', 0x80000, { error: 'ENOENT', errno: 2 });
open(0.13, 200, 'python3', '/usr/lib/locale/C.utf8/LC_CTYPE', 0x80000, { error: 'ENOENT', errno: 2 });
open(0.14, 200, 'python3', '/usr/lib/python3.11/encodings/__init__.py/x', 0x80000, { error: 'ENOTDIR', errno: 20 });
// Two real errors: a refused read and a write that could not create its file.
open(0.5, 200, 'python3', '/etc/shadow', 0x80000, { error: 'EACCES', errno: 13 });
open(0.6, 200, 'python3', '/nowhere/out.txt', 0x241, { error: 'ENOENT', errno: 2 });
open(0.7, 200, 'python3', '/home/dev/out.txt', 0x241, { fd: 3 });
for (let i = 1; i <= 6; i++) sample(i, 200, 'python3', [40, 98.5, 99, 97, 60, 20][i - 1], [30, 80, 140, 210, 190, 60][i - 1], i * 700);
proc(3, 300, 'python3', { event: 'FORK', ppid: 200 });
proc(3.01, 300, 'sh', { event: 'EXEC', ppid: 200, filename: '/bin/sh', argv: ['sh', '-c', 'make test'] });
sample(4, 300, 'sh', 130, 12, 900);
sample(5, 300, 'sh', 20, 14, 1100);
proc(5.5, 300, 'sh', { event: 'EXIT', ppid: 200, exit_code: 0, signal: null, core_dumped: false });
proc(6.5, 200, 'python3', { event: 'EXIT', ppid: 100, exit_code: 0, signal: null, core_dumped: false });

const folder = tempDir('agentsight-resources-');
const recording = join(folder, 'resources.jsonl');
const db = join(folder, 'resources.db');
let browser;

before(async () => {
  writeFileSync(recording, lines.join('\n') + '\n');
  await storeSession(recording, db);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  rmSync(folder, { recursive: true, force: true });
});

for (const [name, session] of [['NDJSON', () => recording], ['.db', () => db]]) {
  describe(`a session with resource samples (${name})`, () => {
    let host;
    let page;
    before(async () => {
      host = await startHost(['serve', session(), '--port', '0']);
      page = await browser.newPage();
    });
    after(async () => { await host?.stop(); });

    test('the Overview shows the peak memory and the peak CPU, and which process reached them', async () => {
      await page.goto(host.open('#/overview'));
      await page.getByTestId('ov-peak-rss').waitFor();
      assert.equal(await page.getByTestId('ov-peak-rss').innerText(), '210.0 MiB');
      assert.match(await page.getByTestId('ov-peak-rss-card').innerText(), /python3 \(200\) at 10:00:04\.000/);
      assert.equal(await page.getByTestId('ov-peak-cpu').innerText(), '130 %');
      assert.match(await page.getByTestId('ov-peak-cpu-card').innerText(), /sh \(300\) at 10:00:04\.000/);
      assert.match(await page.getByTestId('ov-peak-rss-card').getAttribute('title'), /resident set size.*over 8 samples of 2 processes/);
    });

    test('the timeline draws CPU and memory lanes for the sampled processes only', async () => {
      await page.goto(host.open('#/timeline'));
      await page.getByTestId('tl-lane').first().waitFor();
      const strips = await page.getByTestId('tl-resources').evaluateAll((els) => els.map((e) => ({
        pid: e.getAttribute('data-pid'), samples: Number(e.getAttribute('data-samples')),
        cpu: Number(e.getAttribute('data-peak-cpu')), rss: Number(e.getAttribute('data-peak-rss')), text: e.textContent,
      })));
      assert.deepEqual(strips.map((s) => [s.pid, s.samples, s.cpu, s.rss]), [['200', 6, 99, 210 * MiB], ['300', 2, 130, 14 * MiB]]);
      assert.equal(strips[0].text, 'CPU ≤ 99 % · RSS ≤ 210.0 MiB');
      // The canvas is taller by one strip per sampled lane, and something is drawn in python3's strip.
      const drawn = await page.evaluate(() => {
        const canvas = document.querySelector('[data-testid="timeline"] canvas');
        const g = canvas.getContext('2d');
        const ratio = canvas.width / canvas.clientWidth;
        // Lanes: bash (26 px), python3 (26 + 24), sh (26 + 24), below a 24 px axis.
        const strip = g.getImageData(0, Math.round((24 + 26 + 26) * ratio), canvas.width, Math.round(22 * ratio)).data;
        let colored = 0;
        for (let i = 0; i < strip.length; i += 4) if (strip[i + 3] > 0 && (strip[i] !== strip[i + 1] || strip[i + 1] !== strip[i + 2])) colored++;
        return { height: canvas.clientHeight, colored };
      });
      assert.equal(drawn.height, 24 + 3 * 26 + 2 * 24);
      assert.ok(drawn.colored > 100, `${drawn.colored} coloured pixels in the strip`);
      // Pointing at a sample in the strip says its figures.
      const target = await page.evaluate(() => {
        const canvas = document.querySelector('[data-testid="timeline"] canvas');
        return { width: canvas.clientWidth };
      });
      const canvas = page.locator('[data-testid="timeline"] canvas');
      // The session spans 0 to 6.5 s; python3's sample at 4 s (210 MiB) sits at 4/6.5 of the width.
      await canvas.hover({ position: { x: Math.round((target.width * 4) / 6.5), y: 24 + 26 + 26 + 12 } });
      await page.getByTestId('tl-sample-tooltip').waitFor();
      assert.equal(await page.getByTestId('tl-sample-tooltip').innerText(), 'python3 (200) at 10:00:04.000\nCPU 97.0 % · RSS 210.0 MiB');
    });

    test('look-ups that found nothing are not errors; the refused open and the failed write are', async () => {
      await page.goto(host.open('#/overview'));
      await page.getByTestId('ov-errors').waitFor();
      assert.equal(await numberOf(page, 'ov-errors'), 2);
      assert.match(await page.getByTestId('ov-errors-card').innerText(), /2 file opens failed/);
      assert.match(await page.getByTestId('ov-files-card').innerText(), /1 written, 2 failed, 3 look-ups found nothing/);
      const errorsTitle = await page.getByTestId('ov-errors-card').getAttribute('title');
      assert.match(errorsTitle, /Not errors: look-ups of files that were not there \(3 in this session, under Files\)/);
      // Every card says on hover what it counts.
      const titles = await page.locator('.cards > .card').evaluateAll((cards) => cards.map((c) => c.getAttribute('title') ?? ''));
      assert.ok(titles.length >= 10 && titles.every((t) => t.length > 20), JSON.stringify(titles));
      await page.goto(host.open('#/processes'));
      await page.locator('[data-testid="proc-node"][data-pid="200"]').click();
      await page.getByTestId('proc-files').locator('tbody tr').nth(5).waitFor();
      const rows = await page.getByTestId('proc-files').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-outcome'), tr.className]));
      assert.deepEqual(rows, [['miss', 'dim'], ['miss', 'dim'], ['miss', 'dim'], ['error', 'bad'], ['error', 'bad'], ['opened', '']]);
    });

    test('report says the same: the errors, the look-ups apart, and the peaks', async () => {
      const { code, stdout, stderr } = await runHost(['report', session()]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /2 errors \(see Errors\); 3 file look-ups found nothing/);
      assert.match(stdout, /peak memory 210\.0 MiB \(python3 200\), peak CPU 130 % \(sh 300\); 8 resource samples of 2 processes/);
      assert.match(stdout, /file opens failed\s+2\s+/);
    });
  });
}
