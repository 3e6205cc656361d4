// What the browser tests share: the real host (artifacts/<cfg>/host/agentsight.dll) started on a recorded session or
// a live run, Debian's Chromium driven by playwright-core, and the figures of the recorded session, read here from
// the file itself, independently of the C# code under test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../../..');
export const fixture = join(here, 'fixtures/session.jsonl');
const configuration = process.env.AGENTSIGHT_TEST_CONFIGURATION ?? process.env.AGENTSIGHT_CONFIGURATION ?? 'Release';
export const hostDll = join(repoRoot, 'artifacts', configuration, 'host', 'agentsight.dll');
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Starts `agentsight ARGS…` and waits for its "Web UI: http://…/?token=…" line; the caller stops it. `host.url` is
 * the server's origin, `host.printedUrl` the line's URL with its token, `host.open('#/view')` that URL with a view
 * (what a user opens: the server sets its cookie and sends the page on without the token), `host.headers` the bearer
 * header a script sends.
 */
export async function startHost(args, { stdin = 'ignore', timeoutMs = 60_000, waitForUi = true } = {}) {
  if (!existsSync(hostDll)) {
    throw new Error(`the host is not built: ${hostDll} is missing (run scripts/test, or dotnet build AgentSight.sln -c ${configuration})`);
  }
  const child = spawn('dotnet', [hostDll, ...args], { stdio: [stdin, 'pipe', 'pipe'], env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
  let stderr = '';
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  const host = {
    child,
    url: null,
    printedUrl: null,
    token: null,
    open(hash = '') { return `${host.printedUrl}${hash}`; },
    get headers() { return host.token ? { authorization: `Bearer ${host.token}` } : {}; },
    get stderr() { return stderr; },
    get stdout() { return stdout; },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    exited: new Promise((r) => child.once('exit', (code) => r(code))),
  };
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Web UI:" line from agentsight ${args.join(' ')} within ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      const match = /Web UI: (http:\/\/\S+)/.exec(stderr);
      if (match && !host.url) {
        const printed = new URL(match[1]);
        host.printedUrl = match[1];
        host.token = printed.searchParams.get('token');
        host.url = printed.origin;
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); if (!host.url) reject(new Error(`agentsight ${args.join(' ')} exited with ${code} before serving; stderr:\n${stderr}`)); });
  });
  // A host that serves no UI (a recorder) never resolves it; its exit must not become an unhandled rejection.
  if (waitForUi) await ready; else ready.catch(() => {});
  return host;
}

/** Runs `agentsight ARGS…` to the end; resolves with its exit code and output. */
export function runHost(args, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn('dotnet', [hostDll, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`agentsight ${args.join(' ')} did not finish in ${timeoutMs} ms`)); }, timeoutMs);
    child.once('exit', (code) => { clearTimeout(timer); resolveRun({ code, stdout, stderr }); });
  });
}

/**
 * Debian's Chromium, headless, with the flags that keep it off the network (this machine's network is closed: without
 * them Chromium retries Google's hosts at every start). Never a downloaded browser: missing Chromium is a failure.
 */
export async function launchBrowser() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is not installed at ${chromiumPath}: run scripts/setup (it installs Debian's chromium package). Browser tests never download a browser.`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'agentsight-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    viewport: { width: 1440, height: 900 },
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (e) => { page.errors = [...(page.errors ?? []), e]; });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * `agentsight serve SESSION` and a Chromium page on it, as a user opens a recording; close both with closeServed.
 * Returns `{ host, browser, page }`.
 */
export async function serveInBrowser(session) {
  const host = await startHost(['serve', session, '--port', '0']);
  try {
    const browser = await launchBrowser();
    return { host, browser, page: await browser.newPage() };
  } catch (e) {
    await host.stop();
    throw e;
  }
}

/** Closes what serveInBrowser opened (either may be missing when it failed). */
export async function closeServed({ host, browser } = {}) {
  await browser?.close();
  await host?.stop();
}

/**
 * Stores RECORDING in the session database DB as a recording run stores it: a replay through the session-store plugin
 * alone (a manifest written beside DB).
 */
export async function storeSession(recording, db) {
  const manifest = join(dirname(db), 'store-only.json');
  writeFileSync(manifest, JSON.stringify({ stages: [{ plugin: 'session-store', config: { path: db } }] }));
  const run = await runHost(['--manifest', manifest, 'replay', recording, '--no-summary']);
  assert.equal(run.code, 0, run.stderr);
}

/** The figures a user should see for a recording, computed from its lines. */
export function expectedFrom(path) {
  const events = [];
  let badLines = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line);
      if (typeof e.source !== 'string') { badLines++; continue; }
      events.push(e);
    } catch {
      badLines++;
    }
  }
  const llm = events.filter((e) => e.source === 'llm');
  const models = new Map();
  for (const e of llm) {
    const d = e.data;
    const model = d['gen_ai.response.model'] ?? d['gen_ai.request.model'] ?? '(unknown)';
    const m = models.get(model) ?? { calls: 0, input: 0, output: 0 };
    m.calls++;
    m.input += d['gen_ai.usage.input_tokens'] ?? 0;
    m.output += d['gen_ai.usage.output_tokens'] ?? 0;
    models.set(model, m);
  }
  const proc = events.filter((e) => e.source === 'process');
  const pids = new Set(events.filter((e) => e.pid > 0).map((e) => e.pid));
  const exits = new Map(proc.filter((e) => e.data.event === 'EXIT').map((e) => [e.pid, e.data]));
  const opens = proc.filter((e) => e.data.event === 'FILE_OPEN');
  const written = new Set(opens.filter((e) => e.data.fd !== undefined && ((e.data.flags & 3) !== 0 || (e.data.flags & 0x640) !== 0)).map((e) => e.data.filepath));
  const ts = events.map((e) => e.timestamp);
  return {
    events: events.length,
    badLines,
    sources: events.reduce((m, e) => ({ ...m, [e.source]: (m[e.source] ?? 0) + 1 }), {}),
    llmCalls: llm.length,
    inputTokens: llm.reduce((n, e) => n + (e.data['gen_ai.usage.input_tokens'] ?? 0), 0),
    outputTokens: llm.reduce((n, e) => n + (e.data['gen_ai.usage.output_tokens'] ?? 0), 0),
    models,
    processes: pids.size,
    failedProcesses: [...exits.values()].filter((x) => x.exit_code !== 0 || x.signal !== null).length,
    exits,
    filePaths: new Set(opens.map((e) => e.data.filepath)).size,
    filesWritten: written,
    llmByPid: llm.reduce((m, e) => m.set(e.pid, (m.get(e.pid) ?? 0) + 1), new Map()),
    startNs: Math.min(...ts),
    endNs: Math.max(...ts),
  };
}

/** The number a card shows, as an integer ("3,792" → 3792). */
export async function numberOf(page, testid) {
  const text = await page.getByTestId(testid).first().innerText();
  return Number(text.replace(/[^0-9.-]/g, ''));
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}
