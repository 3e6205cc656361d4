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

test('the demo\'s Trace view is one run: its tools hold the commands they ran, with durations, tokens and cost; a click opens the call or the process', async () => {
  const page = await browser.newPage();
  await page.goto(host.open('#/trace'));
  // The run's span comes when the agent has exited (2 s on the pipeline clock): wait for the whole tree.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="span-row"][data-operation="invoke_agent"][data-depth="0"]').length === 1, null, { timeout: 30_000 });
  const rows = page.getByTestId('span-row');
  const names = await rows.evaluateAll((trs) => trs.map((tr) => `${tr.dataset.depth} ${tr.dataset.name}`));
  assert.equal(names[0], '0 invoke_agent python3', names.join('\n'));
  assert.equal(names.filter((n) => / chat /.test(n)).length, 6, names.join('\n'));
  // The first tool call, and under it the shell and the command it ran, one level deeper each.
  const tool = names.indexOf('3 execute_tool run_command');
  assert.ok(tool > 0, names.join('\n'));
  assert.equal(names[tool + 1], '4 process sh', names.join('\n'));
  assert.equal(names[tool + 2], '5 process uname', names.join('\n'));
  assert.ok(names.some((n) => /^4 file write .*\/report\.md$/.test(n)), names.join('\n'));
  // Durations, tokens and cost on the rows.
  const run = page.locator('[data-testid="span-row"][data-depth="0"]');
  assert.match(await run.locator('[data-col="duration"]').innerText(), /^\d+(\.\d+)? (ms|s)$/);
  assert.match(await run.locator('[data-col="tokens"]').innerText(), /^[\d,]+ → [\d,]+$/);
  assert.match(await run.locator('[data-col="cost"]').innerText(), /^\$0\.\d{4}$/);
  const chat = page.locator('[data-testid="span-row"][data-operation="chat"]').first();
  assert.match(await chat.locator('[data-col="cost"]').innerText(), /^\$0\.\d{4}$/);

  // What the agent added on its second turn: the model's tool call and the tool's result, the rest carried over.
  await page.locator('[data-testid="span-row"][data-operation="chat"]').nth(1).getByTestId('turn-diff-toggle').click();
  await page.getByTestId('turn-diff').waitFor();
  assert.match(await page.getByTestId('turn-diff-summary').innerText(), /^1 of 3 input messages carried over/);
  const added = await page.getByTestId('turn-diff-message').allInnerTexts();
  assert.equal(added.length, 2, added.join('\n'));
  assert.match(added[0], /run_command\(\{"command":"uname -sr"\}\)/);
  assert.match(added[1], /← toolu_\w+: Linux/);

  // A click on a process opens it in the process tree; on a chat, the call.
  await page.locator('[data-testid="span-row"][data-name="process uname"]').getByTestId('span-link').click();
  await page.waitForFunction(() => location.hash.startsWith('#/processes/'));
  await page.goBack();
  await page.locator('[data-testid="span-row"][data-operation="chat"]').first().getByTestId('span-link').click();
  await page.waitForFunction(() => location.hash.startsWith('#/llm/'));
  assert.deepEqual(page.errors ?? [], []);
});

test('the demo\'s Overview shows what it cost: in total, per model, per run and over time', async () => {
  const page = await browser.newPage();
  await page.goto(host.open('#/overview'));
  await page.getByTestId('run-row').first().waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('ov-cost').innerText(), /^\$0\.\d{4}$/);
  for (const row of await page.getByTestId('model-row').all()) {
    assert.match(await row.locator('[data-col="cost"]').innerText(), /^\$0\.\d{4}$/);
  }
  assert.match(await page.getByTestId('run-row').locator('[data-col="cost"]').innerText(), /^\$0\.\d{4}$/);
  assert.equal(await page.getByTestId('cost-chart').getAttribute('data-points'), '6');
});
