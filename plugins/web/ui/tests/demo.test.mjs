// The first run as a new user sees it: `agentsight demo` records its bundled Python agent live from the kernel (root,
// real BPF), and the Overview must not alarm without cause. Python's start looks for files that are not there
// (pyvenv.cfg, locale and encoding files): those are look-ups, shown apart, never a red error count. The recording
// also carries the agent's resource samples, whose peaks the Overview shows.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, numberOf, startHost, tempDir } from './support.mjs';

const folder = tempDir('agentsight-demo-');
let host;
let browser;

before(async () => {
  host = await startHost(['demo', '--port', '0', '-o', join(folder, 'demo.jsonl')], { timeoutMs: 120_000 });
  for (let waited = 0; !/The demo agent is done/.test(host.stderr); waited += 100) {
    if (waited > 120_000) throw new Error(`the demo agent did not finish in 120 s; stderr:\n${host.stderr}`);
    if (host.child.exitCode !== null) throw new Error(`demo exited with ${host.child.exitCode}; stderr:\n${host.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const code = await host?.stop();
  rmSync(folder, { recursive: true, force: true });
  assert.equal(code, 0, host?.stderr);
});

test('the demo\'s Overview shows no red error count for Python\'s normal start, and its look-ups apart', async () => {
  const page = await browser.newPage();
  await page.goto(host.open('#/overview'));
  await page.getByTestId('ov-llm-calls').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="ov-llm-calls"]')?.textContent === '6');
  assert.equal(await numberOf(page, 'ov-errors'), 0, await page.getByTestId('ov-errors-card').innerText());
  assert.doesNotMatch(await page.getByTestId('ov-errors-card').getAttribute('class'), /\bbad\b/);
  assert.equal(await page.locator('.card.bad').count(), 0, await page.locator('.card.bad').allInnerTexts().then((t) => t.join(' | ')));
  // Nor in the hosts table: ls looking for nscd's socket (ENOENT) is a look-up, not a failed connection.
  assert.equal(await page.locator('[data-testid="net-hosts"] td.bad').count(), 0, await page.getByTestId('net-hosts').innerText());
  // The look-ups are there, counted as such, and the Errors card's hover says why they are not errors.
  const files = await page.getByTestId('ov-files-card').innerText();
  const lookups = Number(/([\d,]+) look-ups found nothing/.exec(files)?.[1].replace(/,/g, '') ?? 0);
  assert.ok(lookups >= 5, `Files card: ${files}`);
  assert.match(files, /, 0 failed/);
  assert.match(await page.getByTestId('ov-errors-card').getAttribute('title'), new RegExp(`Not errors: look-ups of files that were not there \\(${lookups.toLocaleString('en-US')} in this session`));
  assert.deepEqual(page.errors ?? [], []);
});

test('the demo\'s recording holds resource samples of its agent, and the Overview their peaks', async () => {
  const page = await browser.newPage();
  await page.goto(host.open('#/overview'));
  await page.getByTestId('ov-peak-rss').waitFor();
  assert.match(await page.getByTestId('ov-peak-rss').innerText(), /^\d+\.\d MiB$/);
  assert.match(await page.getByTestId('ov-peak-rss-card').innerText(), /python3 \(\d+\)/);
  await page.goto(host.open('#/timeline'));
  await page.getByTestId('tl-resources').first().waitFor();
  assert.ok(await page.getByTestId('tl-resources').count() >= 1);
});
