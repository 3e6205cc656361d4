// A session stored by the session-store plugin: `serve` shows it with the counters of the run that recorded it,
// and `report` sums it up, as text and as JSON, with the same figures as the UI.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expectedFrom, fixture, launchBrowser, numberOf, runHost, startHost, storeSession, tempDir } from './support.mjs';
import { setTimeout as sleep } from 'node:timers/promises';

const expected = expectedFrom(fixture);
const folder = tempDir('agentsight-stored-');
const db = join(folder, 'session.db');

before(async () => {
  // The recording holds the analyzers' output already: stored as it is, as the run that recorded it stored it.
  await storeSession(fixture, db);
});
after(() => rmSync(folder, { recursive: true, force: true }));

describe('serve SESSION.db', () => {
  let host;
  let browser;
  before(async () => {
    host = await startHost(['serve', db, '--port', '0']);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await host?.stop();
  });

  test('shows the stored session and the line its recording lost', async () => {
    const page = await browser.newPage();
    await page.goto(host.open(`#/overview`));
    await page.getByTestId('ov-llm-calls').waitFor();
    assert.equal(await numberOf(page, 'ov-llm-calls'), expected.llmCalls);
    assert.equal(await numberOf(page, 'ov-tokens-in'), expected.inputTokens);
    assert.equal(await numberOf(page, 'ov-processes'), expected.processes);
    assert.equal(await numberOf(page, 'ov-events'), expected.events);
    assert.equal(await numberOf(page, 'ov-drops'), expected.badLines);
    assert.match(await page.getByTestId('drops').innerText(), /recorded: replay\s+source\s+bad_lines\s+1/);
    assert.equal(await page.getByTestId('incomplete-session').count(), 0, 'a session that ended cleanly is not flagged');
  });

  test('the pipeline view shows the recording run\'s stages next to this one\'s', async () => {
    const page = await browser.newPage();
    await page.goto(host.open(`#/pipeline`));
    await page.getByTestId('recorded-stages').waitFor();
    const stored = page.locator('[data-testid="recorded-stages"] [data-testid="stage-row"][data-id="session-store"]');
    assert.equal(Number((await stored.locator('[data-col="in"]').innerText()).replace(/,/g, '')), expected.events);
  });
});

describe('serve SESSION.db of a recorder killed with SIGKILL', () => {
  const killed = join(folder, 'killed.db');
  let host;
  let browser;
  before(async () => {
    // A long recording replayed at its own pace: the recorder is still storing it when it is killed.
    const recording = join(folder, 'long.jsonl');
    const start = 1_795_514_400_000_000_000n;
    writeFileSync(recording, Array.from({ length: 600 }, (_, i) =>
      JSON.stringify({ timestamp: Number(start + BigInt(i) * 100_000_000n), source: 'seq', pid: 1, tid: 1, comm: 'seq', data: { seq: i } })).join('\n') + '\n');
    const manifest = join(folder, 'store-killed.json');
    writeFileSync(manifest, JSON.stringify({ stages: [{ plugin: 'session-store', config: { path: killed, flush_interval_ms: 50 } }] }));
    const recorder = await startHost(['--manifest', manifest, 'replay', recording, '--speed', '1', '--no-summary'], { waitForUi: false });
    for (let waited = 0; !/Storing the session in/.test(recorder.stderr); waited += 50) {
      assert.ok(waited < 60_000, `the recorder never started storing; stderr:\n${recorder.stderr}`);
      await sleep(50);
    }
    await sleep(1_000);
    recorder.child.kill('SIGKILL');
    await recorder.exited;
    host = await startHost(['serve', killed, '--port', '0']);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await host?.stop();
  });

  test('the Overview warns that the session is incomplete instead of saying nothing was lost', async () => {
    const page = await browser.newPage();
    await page.goto(host.open(`#/overview`));
    const warning = page.getByTestId('incomplete-session');
    await warning.waitFor();
    assert.match(await warning.innerText(), /Incomplete session[\s\S]*did not finish/);
    const dropsCard = page.locator('.card', { has: page.getByTestId('ov-drops') });
    assert.match(await dropsCard.innerText(), /session incomplete/);
    assert.doesNotMatch(await page.getByTestId('overview').innerText(), /every event reached this view/);
  });
});

describe('report', () => {
  test('prints calls and tokens per model, slowest calls, processes with exit codes, files written and drops', async () => {
    const { code, stdout, stderr } = await runHost(['report', db]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, new RegExp(`${expected.llmCalls} LLM calls, ${expected.inputTokens.toLocaleString('en-US')} tokens in, ${expected.outputTokens.toLocaleString('en-US')} out`));
    for (const [model, m] of expected.models) {
      assert.match(stdout, new RegExp(`${model.replace(/[.]/g, '\\.')}\\s+\\S+\\s+${m.calls}\\s+0\\s+${m.input.toLocaleString('en-US')}\\s+${m.output.toLocaleString('en-US')}`), model);
    }
    assert.match(stdout, /Slowest calls\n\s+#\s+DURATION/);
    assert.match(stdout, /41311\s+41310\s+npm\s+1\s/);
    assert.match(stdout, /42159\s+40700\s+node\s+signal 15/);
    for (const path of expected.filesWritten) assert.ok(stdout.includes(path), path);
    assert.match(stdout, /Drops\n\s+WHERE.*\n\s+recorded: replay\s+source\s+bad_lines\s+1/);
    assert.equal(stderr.trim(), '', 'nothing on stderr by default');
  });

  test('--json gives the same figures from the NDJSON recording as from the stored session', async () => {
    const fromDb = JSON.parse((await runHost(['report', db, '--json'])).stdout);
    const fromNdjson = JSON.parse((await runHost(['report', fixture, '--json'])).stdout);
    for (const report of [fromDb, fromNdjson]) {
      assert.equal(report.overview.llm.calls, expected.llmCalls);
      assert.equal(report.overview.llm.input_tokens, expected.inputTokens);
      assert.equal(report.overview.llm.output_tokens, expected.outputTokens);
      assert.equal(report.overview.processes.count, expected.processes);
      assert.equal(report.processes.length, expected.processes);
      assert.equal(report.overview.files_written.length, expected.filesWritten.size);
      assert.equal(report.slowest_calls.length, 10);
      assert.ok(report.slowest_calls[0].duration_ms >= report.slowest_calls[9].duration_ms);
    }
    assert.equal(fromDb.overview.drops.total, 1);
    assert.equal(fromNdjson.overview.drops.total, 1, 'the NDJSON replay itself counts the bad line');
  });

  test('a missing session is one clear line and exit code 2', async () => {
    const { code, stderr } = await runHost(['report', join(folder, 'nope.jsonl')]);
    assert.equal(code, 2);
    assert.match(stderr, /^agentsight: no such session: .*nope\.jsonl\n$/);
  });
});
