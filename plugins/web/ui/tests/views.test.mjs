// Each view of the UI, in Chromium, against `agentsight serve` of a recorded session: the numbers shown are the
// recording's, computed independently from the file (support.mjs).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeServed, expectedFrom, fixture, numberOf, serveInBrowser } from './support.mjs';

const expected = expectedFrom(fixture);
let host;
let browser;
let page;

before(async () => ({ host, browser, page } = await serveInBrowser(fixture)));
after(() => closeServed({ host, browser }));

async function open(view) {
  await page.goto(host.open(`#/${view}`));
}

describe('overview', () => {
  test('shows the recording\'s calls, tokens, processes, files, errors and the line replay lost', async () => {
    await open('overview');
    await page.getByTestId('ov-llm-calls').waitFor();
    assert.equal(await numberOf(page, 'ov-llm-calls'), expected.llmCalls);
    assert.equal(await numberOf(page, 'ov-tokens-in'), expected.inputTokens);
    assert.equal(await numberOf(page, 'ov-tokens-out'), expected.outputTokens);
    assert.equal(await numberOf(page, 'ov-processes'), expected.processes);
    assert.equal(await numberOf(page, 'ov-files'), expected.filePaths);
    assert.equal(await numberOf(page, 'ov-events'), expected.events);
    // Failed processes; cat's read of a .env that is not there is a look-up, not an error (ErrorRule).
    assert.equal(await numberOf(page, 'ov-errors'), expected.failedProcesses);
    assert.match(await page.getByTestId('ov-files-card').innerText(), /1 look-up found nothing/);
    assert.equal(await numberOf(page, 'ov-drops'), expected.badLines);
    assert.match(await page.getByTestId('drops').innerText(), /bad_lines/);
    assert.equal(await numberOf(page, 'ov-duration'), Number(((expected.endNs - expected.startNs) / 1e9).toFixed(2)));
  });

  test('has one row per model with its calls and tokens', async () => {
    await open('overview');
    const rows = page.getByTestId('model-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), expected.models.size);
    for (const [model, m] of expected.models) {
      const row = page.locator(`[data-testid="model-row"][data-model="${model}"]`);
      assert.equal(Number((await row.locator('[data-col="calls"]').innerText()).replace(/,/g, '')), m.calls, model);
      assert.equal(Number((await row.locator('[data-col="in"]').innerText()).replace(/,/g, '')), m.input, model);
      assert.equal(Number((await row.locator('[data-col="out"]').innerText()).replace(/,/g, '')), m.output, model);
    }
  });

  test('reads timestamps as nanoseconds: the session is dated 2026-11-24, not thousands of years later', async () => {
    await open('overview');
    await page.getByTestId('ov-llm-calls').waitFor();
    assert.match(await page.getByTestId('session-span').innerText(), /^2026-11-24 09:59:59 · 16\.00 s$/);
  });

  test('has no unseen-TLS warning and no hosts for a recording without network events', async () => {
    await open('overview');
    await page.getByTestId('ov-hosts').waitFor();
    assert.equal(await page.getByTestId('tls-unseen').count(), 0);
    assert.equal(await numberOf(page, 'ov-hosts'), 0);
    assert.match(await page.locator('section', { hasText: 'Hosts per process' }).innerText(), /No connections seen\./);
  });

  test('lists the files written with the processes that wrote them', async () => {
    await open('overview');
    const table = page.getByTestId('files-written');
    await table.waitFor();
    const text = await table.innerText();
    for (const path of expected.filesWritten) assert.ok(text.includes(path), `${path} missing from files written`);
    assert.match(text, /\/home\/dev\/proj\/src\/config\.ts\s+1\s+node \(41224\)/);
  });
});

describe('LLM calls', () => {
  test('lists every call with its tokens; sorting by duration puts the slowest first', async () => {
    await open('llm');
    await page.getByTestId('llm-row').first().waitFor();
    assert.equal(await page.getByTestId('llm-row').count(), expected.llmCalls);
    assert.equal(await numberOf(page, 'llm-total'), expected.llmCalls);
    await page.getByLabel('Sort').selectOption('duration');
    await page.waitForFunction(() => location.hash.includes('sort=duration'));
    await page.waitForTimeout(300);
    const durations = await page.locator('[data-testid="llm-row"] [data-col="duration"]').allInnerTexts();
    const ms = durations.map((d) => (d.endsWith(' s') ? parseFloat(d) * 1000 : parseFloat(d)));
    assert.deepEqual(ms, [...ms].sort((a, b) => b - a));
  });

  test('filters by model', async () => {
    const [model, m] = [...expected.models].find(([, v]) => v.calls > 1);
    await page.goto(host.open(`#/llm?model=${encodeURIComponent(model)}`));
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="llm-row"]').length === n, m.calls);
    const models = await page.locator('[data-testid="llm-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model')));
    assert.ok(models.every((x) => x === model));
  });

  test('shows a call as a conversation: system, messages, response with its tool call, tokens and latency', async () => {
    await open('llm/1');
    const detail = page.getByTestId('llm-detail');
    await detail.waitFor();
    assert.match(await page.getByTestId('system').innerText(), /helpful assistant embedded in a terminal/);
    assert.match(await page.getByTestId('input-messages').innerText(), /Japanese greeting/);
    const toolCall = page.getByTestId('output-messages').getByTestId('tool-call');
    assert.match(await toolCall.innerText(), /read_file[\s\S]*src\/banner\.ts/);
    assert.match(await page.getByTestId('detail-tokens').innerText(), /^233 in · 25 out/);
    assert.equal(await page.getByTestId('detail-duration').innerText(), '485 ms');
  });
});

describe('process tree', () => {
  test('nests children under parents, with exit codes, files and LLM calls', async () => {
    await open('processes');
    await page.getByTestId('proc-node').first().waitFor();
    assert.equal(await page.getByTestId('proc-node').count(), expected.processes);
    assert.equal(await page.locator('[data-testid="proc-node"][data-depth="0"]').count(), 1, 'one root: the shell');
    const npm = page.locator('[data-testid="proc-node"][data-pid="41311"]');
    assert.equal(await npm.getAttribute('data-depth'), '3', 'bash > node > sh > npm');
    assert.equal(await npm.getByTestId('exit').innerText(), 'exit 1');
    const killed = page.locator('[data-testid="proc-node"][data-pid="42159"]');
    assert.equal(await killed.getByTestId('exit').innerText(), 'signal 15');
    const agent = page.locator('[data-testid="proc-node"][data-pid="41224"]');
    assert.match(await agent.getByTestId('calls').innerText(), new RegExp(`^${expected.llmByPid.get(41224)} LLM calls`));
    assert.match(await agent.innerText(), /node \/usr\/lib\/node_modules\/agent\/cli\.js fix-tests/);
  });

  test('a process\'s detail lists the files it opened and the calls it made', async () => {
    await open('processes');
    await page.locator('[data-testid="proc-node"][data-pid="40816"]').click();
    const detail = page.getByTestId('proc-detail');
    await detail.waitFor();
    const files = await detail.getByTestId('proc-files').innerText();
    assert.match(files, /banner\.ts\s+read\s+fd 5/);
    assert.match(files, /banner\.ts\s+write\+create\+truncate\s+fd 5/);
    assert.equal(await detail.getByTestId('proc-calls').locator('tbody tr').count(), expected.llmByPid.get(40816));
  });

  test('a failed open shows its error', async () => {
    await open('processes');
    await page.locator('[data-testid="proc-node"][data-pid="41320"]').click();
    assert.match(await page.getByTestId('proc-files').innerText(), /\.env\s+read\s+ENOENT/);
  });
});

describe('timeline', () => {
  test('has one lane per process and every LLM call placed on it', async () => {
    await open('timeline');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="timeline"]')?.getAttribute('data-lanes')) > 0);
    const timeline = page.getByTestId('timeline');
    assert.equal(Number(await timeline.getAttribute('data-lanes')), expected.processes);
    assert.equal(Number(await timeline.getAttribute('data-calls')), expected.llmCalls);
    const lane = page.locator('[data-testid="tl-lane"][data-pid="41224"]');
    assert.equal(Number(await lane.getAttribute('data-calls')), expected.llmByPid.get(41224));
  });

  test('zooms in and out, and shows real clock times', async () => {
    await open('timeline');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="timeline"]')?.getAttribute('data-lanes')) > 0);
    assert.match(await page.getByTestId('tl-window').innerText(), /^09:59:59\.500 – 10:00:15\.500 \(16\.00 s\)$/);
    await page.getByTestId('tl-zoom-in').click();
    await page.getByTestId('tl-zoom-in').click();
    await page.waitForFunction(() => /\(4\.00 s\)$/.test(document.querySelector('[data-testid="tl-window"]')?.textContent ?? ''));
    // Fewer processes live in the middle four seconds than in the whole session.
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="timeline"]')?.getAttribute('data-lanes')) < n, expected.processes);
    await page.getByTestId('tl-reset').click();
    await page.waitForFunction(() => /\(16\.00 s\)$/.test(document.querySelector('[data-testid="tl-window"]')?.textContent ?? ''));
  });
});

describe('event log', () => {
  test('counts every event and filters by source on the server', async () => {
    await open('events');
    await page.getByTestId('ev-row').first().waitFor();
    assert.equal(await numberOf(page, 'ev-total'), expected.events);
    await page.locator('[data-testid="source-chip"][data-source="llm"]').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ev-row"]').length === n, expected.sources.llm);
    assert.equal(await numberOf(page, 'ev-total'), expected.sources.llm);
  });

  test('searches every field and opens an event in the detail view', async () => {
    await open('events');
    await page.getByTestId('ev-row').first().waitFor();
    await page.getByTestId('ev-search').fill('jest');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ev-row"]').length === 1);
    await page.getByTestId('ev-row').click();
    const json = await page.getByTestId('event-json').innerText();
    assert.match(json, /"node_modules\/\.bin\/jest"/);
    assert.match(json, /"event": "EXEC"/);
  });
});

describe('pipeline', () => {
  test('lists the manifest\'s stages in order, enabled or not, with their counters', async () => {
    await open('pipeline');
    await page.getByTestId('stage-row').first().waitFor();
    const ids = await page.getByTestId('stage-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-id'), r.getAttribute('data-state')]));
    const web = ids.find(([id]) => id === 'web');
    assert.ok(web, 'the web stage is listed');
    assert.notEqual(web[1], 'disabled');
    assert.ok(ids.some(([, state]) => state === 'disabled'), 'disabled stages are listed too');
    const webIn = Number((await page.locator('[data-testid="stage-row"][data-id="web"] [data-col="in"]').innerText()).replace(/,/g, ''));
    assert.equal(webIn, expected.events);
    assert.match(await page.getByTestId('sources').innerText(), new RegExp(`replay\\s+${expected.events}\\s+bad_lines=1`));
  });
});

test('no script error in any view', () => {
  assert.deepEqual((page.errors ?? []).map(String), []);
});
