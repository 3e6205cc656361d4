// Network events in the browser: the Overview names the hosts each process talked to, and warns (one line per
// process and reason) when TLS connections carried data no probe saw; the same from the NDJSON file and from the
// session store's .db. The session is written here, by hand, as live capture writes network events.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, startHost, storeSession, tempDir } from './support.mjs';

const REASON = 'GnuTLS (libgnutls.so.30) is not opened by AgentSight';
const LINE = `2 TLS connections were not seen: gnutls-cli 300 (/usr/bin/gnutls-cli) to api.x.com, api.y.com: ${REASON}`;

const base = 1795514400000000000n; // 2026-11-24T10:00:00Z
const at = (seconds) => base + BigInt(Math.round(seconds * 1e6)) * 1000n;
const lines = [];
const event = (t, source, pid, comm, data) =>
  lines.push(`{"timestamp":${at(t)},"source":"${source}","pid":${pid},"tid":${pid},"comm":"${comm}","data":${JSON.stringify(data)}}`);
const net = (t, pid, comm, data) => event(t, 'network', pid, comm, data);

event(0, 'process', 100, 'bash', { event: 'EXEC', ppid: 1, filename: '/usr/bin/bash', argv: ['bash'] });
event(0.1, 'process', 200, 'bash', { event: 'FORK', ppid: 100 });
event(0.11, 'process', 200, 'claude', { event: 'EXEC', ppid: 100, filename: '/usr/bin/claude', argv: ['claude', '-p', 'fix it'] });
net(0.2, 200, 'claude', { event: 'CONNECT', fd: 12, family: 'ipv4', address: '127.0.0.1', port: 8443, result: 'ok' });
net(0.21, 200, 'claude', { event: 'TLS_HELLO', fd: 12, server_name: 'api.anthropic.com', remote: '127.0.0.1:8443', alpn: ['h2', 'http/1.1'], tls13: true });
net(0.3, 200, 'claude', { event: 'CONNECT', fd: 13, family: 'unix', path: '/run/x.sock', result: 'ok' });
net(0.4, 200, 'claude', { event: 'CONNECT', fd: 14, family: 'ipv4', address: '127.0.0.1', port: 9, result: 'error', error: 'ECONNREFUSED' });
event(1, 'process', 300, 'claude', { event: 'FORK', ppid: 200 });
event(1.01, 'process', 300, 'gnutls-cli', { event: 'EXEC', ppid: 200, filename: '/usr/bin/gnutls-cli', argv: ['gnutls-cli', 'api.x.com'] });
net(1.1, 300, 'gnutls-cli', { event: 'CONNECT', fd: 3, family: 'ipv6', address: '::1', port: 443, result: 'ok' });
net(1.11, 300, 'gnutls-cli', { event: 'TLS_HELLO', fd: 3, server_name: 'api.x.com', remote: '[::1]:443', alpn: [], tls13: true });
net(1.5, 300, 'gnutls-cli', { event: 'CONNECT', fd: 4, family: 'ipv4', address: '10.0.0.5', port: 443, result: 'ok' });
net(1.51, 300, 'gnutls-cli', { event: 'TLS_HELLO', fd: 4, server_name: 'api.y.com', remote: '10.0.0.5:443', alpn: [], tls13: true });
// Reported after the data flowed, with the time of their hellos.
net(1.11, 300, 'gnutls-cli', { event: 'TLS_UNSEEN', fd: 3, server_name: 'api.x.com', remote: '[::1]:443', binary: '/usr/bin/gnutls-cli', program: null, reason: REASON });
net(1.51, 300, 'gnutls-cli', { event: 'TLS_UNSEEN', fd: 4, server_name: 'api.y.com', remote: '10.0.0.5:443', binary: '/usr/bin/gnutls-cli', program: null, reason: REASON });
event(3, 'process', 300, 'gnutls-cli', { event: 'EXIT', ppid: 200, exit_code: 0, signal: null, core_dumped: false });

const folder = tempDir('agentsight-network-');
const recording = join(folder, 'network.jsonl');
const db = join(folder, 'network.db');
const clean = join(folder, 'clean.jsonl');
let browser;

before(async () => {
  writeFileSync(recording, lines.join('\n') + '\n');
  // The same session without its TLS_UNSEEN events: nothing to warn of.
  writeFileSync(clean, lines.filter((l) => !l.includes('TLS_UNSEEN')).join('\n') + '\n');
  await storeSession(recording, db);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  rmSync(folder, { recursive: true, force: true });
});

/** The Overview's warning lines and host rows, as the user reads them. */
async function overviewOf(session) {
  const host = await startHost(['serve', session, '--port', '0']);
  try {
    const page = await browser.newPage();
    await page.goto(host.open(`#/overview`));
    await page.getByTestId('ov-hosts').waitFor();
    await page.waitForTimeout(200);
    const warnings = await page.getByTestId('tls-unseen-line').allInnerTexts();
    const rows = await page.getByTestId('net-host-row').evaluateAll((trs) => trs.map((tr) => ({
      pid: tr.getAttribute('data-pid'),
      host: tr.getAttribute('data-host'),
      cells: Object.fromEntries([...tr.querySelectorAll('[data-col]')].map((td) => [td.getAttribute('data-col'), td.textContent.trim()])),
    })));
    const hostsText = await page.locator('section', { hasText: 'Hosts per process' }).innerText();
    return { host, page, warnings, rows, hostsText };
  } catch (e) {
    await host.stop();
    throw e;
  }
}

for (const [name, session] of [['NDJSON', () => recording], ['.db', () => db]]) {
  describe(`overview of a session with unseen TLS (${name})`, () => {
    let view;
    before(async () => { view = await overviewOf(session()); });
    after(async () => { await view?.host.stop(); });

    test('warns once per process and reason, naming the binary, the hosts and why', () => {
      assert.deepEqual(view.warnings.map((w) => w.replace(/\s*events →$/, '')), [LINE]);
    });

    test('lists the hosts each process talked to, with failed connects and unseen TLS', () => {
      assert.deepEqual(view.rows.map((r) => [r.pid, r.host]), [
        ['200', 'api.anthropic.com'], ['200', '/run/x.sock'], ['200', '127.0.0.1:9'], ['300', 'api.x.com'], ['300', 'api.y.com'],
      ]);
      const api = view.rows.find((r) => r.host === 'api.anthropic.com').cells;
      assert.match(api.process, /claude\s*200\s*\/usr\/bin\/claude/);
      assert.equal(api.tls, '1');
      assert.match(api.details, /at 127\.0\.0\.1:8443/);
      assert.match(api.details, /h2, http\/1\.1/);
      assert.match(view.rows.find((r) => r.host === '127.0.0.1:9').cells.failed, /^1\s*ECONNREFUSED$/);
      const x = view.rows.find((r) => r.host === 'api.x.com').cells;
      assert.match(x.process, /gnutls-cli\s*300\s*\/usr\/bin\/gnutls-cli/);
      assert.equal(x.unseen, '1');
    });

    test('the warning links to the unseen connections in the event log', async () => {
      const { page } = view;
      await page.getByTestId('tls-unseen-link').click();
      await page.waitForFunction(() => location.hash.startsWith('#/events/'));
      await page.getByTestId('event-detail').waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="ev-row"]').length === 2);
      const summaries = await page.locator('[data-testid="ev-row"] .summary').allInnerTexts();
      assert.deepEqual(summaries.sort(), [`TLS UNSEEN api.x.com: ${REASON}`, `TLS UNSEEN api.y.com: ${REASON}`]);
      assert.match(await page.getByTestId('event-json').innerText(), /"event": "TLS_UNSEEN"/);
      assert.deepEqual((page.errors ?? []).map(String), []);
    });
  });
}

describe('overview of a session whose TLS was all seen', () => {
  test('has no warning line, and still the hosts', async () => {
    const view = await overviewOf(clean);
    try {
      assert.deepEqual(view.warnings, []);
      assert.equal(await view.page.getByTestId('tls-unseen').count(), 0);
      assert.equal(view.rows.length, 5);
      assert.ok(view.rows.every((r) => r.cells.unseen === '0'));
    } finally {
      await view.host.stop();
    }
  });
});

describe('event log', () => {
  test('network events read as one line each and filter by their source', async () => {
    const host = await startHost(['serve', recording, '--port', '0']);
    try {
      const page = await browser.newPage();
      await page.goto(host.open(`#/events`));
      await page.locator('[data-testid="source-chip"][data-source="network"]').click();
      const count = lines.filter((l) => l.includes('"source":"network"')).length;
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ev-row"]').length === n, count);
      const summaries = await page.locator('[data-testid="ev-row"] .summary').allInnerTexts();
      for (const s of ['CONNECT 127.0.0.1:8443 ok', 'TLS api.anthropic.com (h2, http/1.1)', 'CONNECT 127.0.0.1:9 error: ECONNREFUSED',
        'CONNECT /run/x.sock ok', 'CONNECT [::1]:443 ok', `TLS UNSEEN api.y.com: ${REASON}`]) {
        assert.ok(summaries.includes(s), `${s} missing from ${JSON.stringify(summaries)}`);
      }
    } finally {
      await host.stop();
    }
  });
});
