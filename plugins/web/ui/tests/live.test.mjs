// Live: an event shows in the open browser within a second of entering the pipeline, with no reload.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, numberOf, startHost } from './support.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('an event written into the pipeline appears in the event log within a second', async () => {
  // `replay -` reads standard input: the test is the agent, and writes each event at a moment it knows.
  const host = await startHost(['replay', '-', '-q', '--no-summary', '--enable', 'web', '--set', 'web.port=0'], { stdin: 'pipe' });
  try {
    const page = await browser.newPage();
    await page.goto(host.open(`#/events`));
    await page.waitForFunction(() => document.querySelector('[data-testid="live-badge"]')?.getAttribute('data-state') === 'live');
    const latencies = [];
    for (let i = 0; i < 5; i++) {
      const marker = `live-probe-${i}-${Date.now()}`;
      const ns = BigInt(Date.now()) * 1_000_000n;
      const line = `{"timestamp":${ns},"source":"process","pid":${50000 + i},"tid":${50000 + i},"comm":"probe","data":{"event":"EXEC","ppid":1,"filename":"/usr/bin/${marker}","argv":["${marker}"]}}\n`;
      const sent = Date.now();
      host.child.stdin.write(line);
      await page.waitForFunction((m) => [...document.querySelectorAll('[data-testid="ev-row"]')].some((r) => r.textContent.includes(m)), marker,
        { timeout: 5000, polling: 10 });
      latencies.push(Date.now() - sent);
      await page.waitForTimeout(150);
    }
    console.log(`live latencies (ms): ${latencies.join(', ')}`);
    assert.ok(Math.max(...latencies) < 1000, `slowest event took ${Math.max(...latencies)} ms to show`);
    assert.equal(await numberOf(page, 'ev-total'), 5);
    host.child.stdin.end();
  } finally {
    await host.stop();
  }
});

test('a running synthetic session updates the overview as its calls arrive, without a reload', async () => {
  const host = await startHost(['synthetic', '--count', '12', '--interval', '400', '-q', '--no-summary', '--enable', 'web', '--set', 'web.port=0']);
  try {
    const page = await browser.newPage();
    await page.goto(host.open(`#/overview`));
    const first = await page.getByTestId('ov-events').innerText().then((t) => Number(t.replace(/,/g, '')));
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="ov-events"]')?.textContent?.replace(/,/g, '')) > n + 20, first,
      { timeout: 8000 });
    assert.match(await page.getByTestId('live-badge').innerText(), /live/);
  } finally {
    await host.stop();
  }
});
