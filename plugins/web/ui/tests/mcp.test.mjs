// The MCP view, the process tree and the timeline in Chromium, against `agentsight serve` of a raw recording of a real
// MCP session over stdio (samples/mcp-session.jsonl: the official SDK's client and server-everything, as `stdio`
// events). serve runs the analyzers on it, so what the UI shows is the mcp analyzer's reading of the bytes; the
// expected figures are read here from the bytes themselves.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { closeServed, numberOf, serveInBrowser } from './support.mjs';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '../../../../samples/mcp-session.jsonl');

/** The JSON-RPC messages each side wrote, from the WRITE events' bytes (newline-delimited). */
function messagesOf(path) {
  const events = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const agent = events.find((e) => e.source === 'process' && e.data.event === 'EXEC' && e.data.ppid === 1).pid;
  const text = { client: '', server: '' };
  for (const e of events.filter((x) => x.source === 'stdio' && x.data.function === 'WRITE')) text[e.pid === agent ? 'client' : 'server'] += e.data.data;
  const parse = (t) => t.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { agent, client: parse(text.client), server: parse(text.server) };
}

const wire = messagesOf(fixture);
const requests = wire.client.filter((m) => m.method && m.id !== undefined);
const toolCalls = requests.filter((m) => m.method === 'tools/call');
const answers = new Map(wire.server.filter((m) => m.id !== undefined && !m.method).map((m) => [m.id, m]));
const failed = requests.filter((m) => answers.get(m.id)?.error || answers.get(m.id)?.result?.isError);
const serverInfo = answers.get(requests.find((m) => m.method === 'initialize').id).result.serverInfo;

let host;
let browser;
let page;

before(async () => ({ host, browser, page } = await serveInBrowser(fixture)));
after(() => closeServed({ host, browser }));

describe('MCP', () => {
  test('lists the server with its name, version, calls, tools and failures', async () => {
    await page.goto(host.open('#/mcp'));
    const row = page.getByTestId('mcp-server');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    const text = await row.innerText();
    assert.ok(text.includes(serverInfo.name), text);
    assert.equal(await row.locator('[data-col="version"]').innerText(), serverInfo.version);
    assert.ok(text.includes('stdio'), text);
    for (const call of toolCalls) assert.ok(text.includes(call.params.name), `${call.params.name} missing: ${text}`);
    assert.equal(Number((await row.locator('[data-col="errors"]').innerText()).split(' ')[0]), failed.length);
  });

  test('lists every call with its method, tool, arguments, result and outcome', async () => {
    await page.goto(host.open('#/mcp'));
    await page.getByTestId('mcp-row').first().waitFor();
    const rows = page.locator('[data-testid="mcp-row"][data-method="tools/call"]');
    assert.equal(await rows.count(), toolCalls.length);
    const echo = page.locator('[data-testid="mcp-row"][data-tool="echo"]');
    const echoText = await echo.innerText();
    assert.ok(echoText.includes(toolCalls.find((c) => c.params.name === 'echo').params.arguments.message), echoText);
    assert.ok(echoText.includes('Echo: '), echoText);
    assert.equal(await page.locator('[data-testid="mcp-row"][data-error="true"]').count(), failed.length);
    await page.getByTestId('mcp-errors-filter').selectOption('true');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="mcp-row"]').length === n, failed.length);
  });

  test('opens a call with its whole arguments and result', async () => {
    await page.goto(host.open('#/mcp'));
    await page.locator('[data-testid="mcp-row"][data-tool="get-sum"]').click();
    await page.getByTestId('mcp-detail').waitFor();
    const sum = toolCalls.find((c) => c.params.name === 'get-sum');
    assert.deepEqual(JSON.parse(await page.getByTestId('mcp-arguments').innerText()), sum.params.arguments);
    assert.deepEqual(JSON.parse(await page.getByTestId('mcp-result').innerText()), answers.get(sum.id).result);
    assert.match(await page.getByTestId('mcp-detail-server').innerText(), new RegExp(serverInfo.version.replace(/\./g, '\\.')));
  });

  test('shows the agent\'s MCP calls in the process tree', async () => {
    await page.goto(host.open('#/processes'));
    const agent = page.locator(`[data-testid="proc-node"][data-pid="${wire.agent}"]`);
    await agent.waitFor();
    assert.equal(await numberOf(agent, 'mcp-calls'), requests.length);
    await agent.click();
    const table = page.getByTestId('proc-mcp');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), requests.length);
  });

  test('draws the calls on the agent\'s lane of the timeline', async () => {
    await page.goto(host.open('#/timeline'));
    const lane = page.locator(`[data-testid="tl-lane"][data-pid="${wire.agent}"]`);
    await lane.waitFor();
    assert.equal(Number(await lane.getAttribute('data-mcp-calls')), requests.length);
  });
});
