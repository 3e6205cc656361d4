// Load time of each view on a large session (docs/PERFORMANCE.md, "Web UI").
//
//   node tests/perf.mjs [--session FILE] [--count N] [--processes N] [--runs N]
//
// Without --session it makes one: `agentsight synthetic --count N -q -o FILE` (through the manifest's analyzers, so
// the events are what a recording holds) plus a process tree of --processes processes with their execs, file opens
// and exits, added to the same file. Then it serves the file (`agentsight serve`) and opens each view in a fresh page
// of headless Chromium, --runs times: the time is from navigation start to the view's data being on screen.
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { launchBrowser, runHost, startHost, tempDir } from './support.mjs';

const { values } = parseArgs({
  options: {
    session: { type: 'string' },
    count: { type: 'string', default: '3000' },
    processes: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
    'synthetic-arg': { type: 'string', multiple: true, default: [] },
  },
});

let session = values.session;
if (!session) {
  session = join(tempDir('agentsight-perf-'), 'large.jsonl');
  const started = performance.now();
  const made = await runHost(['synthetic', '--count', values.count, '--interval', '0', '-q', '--no-summary', '-o', session, ...values['synthetic-arg']], { timeoutMs: 600_000 });
  if (made.code !== 0) throw new Error(`synthetic failed: ${made.stderr}`);
  appendFileSync(session, processTree(Number(values.processes), session));
  console.log(`made ${session} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const lines = readFileSync(session, 'utf8').split('\n').filter(Boolean).length;
console.log(`session: ${session}: ${lines} events, ${(statSync(session).size / 1e6).toFixed(1)} MB`);

const ingestStart = performance.now();
const host = await startHost(['serve', session, '--port', '0'], { timeoutMs: 120_000 });
while (!host.stderr.includes('serving until Ctrl+C')) await new Promise((r) => setTimeout(r, 20));
const ingestMs = performance.now() - ingestStart;
const browser = await launchBrowser();
const views = [
  ['Overview', '#/overview', '[data-testid="model-row"]'],
  ['LLM calls', '#/llm', '[data-testid="llm-row"]'],
  ['LLM call (detail)', '#/llm/1500', '[data-testid="output-messages"]'],
  ['Process tree', '#/processes', '[data-testid="proc-node"]'],
  ['Timeline', '#/timeline', '[data-testid="tl-lane"]'],
  ['Event log', '#/events', '[data-testid="ev-row"]'],
  ['Event log, text search', '#/events?q=tool_use', '[data-testid="ev-row"]'],
  ['Pipeline', '#/pipeline', '[data-testid="stage-row"]'],
];
const results = [];
try {
  for (const [name, hash, ready] of views) {
    const times = [];
    for (let i = 0; i < Number(values.runs); i++) {
      const page = await browser.newPage();
      await page.goto(host.open(hash), { waitUntil: 'commit' });
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      times.push(await page.evaluate(() => performance.now()));
      await page.close();
    }
    times.sort((a, b) => a - b);
    results.push({ name, median: times[Math.floor(times.length / 2)], max: times[times.length - 1] });
  }
  const api = [];
  for (const path of ['/api/overview', '/api/llm?limit=50', '/api/processes', '/api/timeline?bins=400', '/api/events?limit=100', '/api/events?limit=100&q=tool_use', '/api/pipeline']) {
    const times = [];
    for (let i = 0; i < Number(values.runs); i++) {
      const t = performance.now();
      const res = await fetch(host.url + path, { headers: host.headers });
      await res.arrayBuffer();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    api.push({ path, median: times[Math.floor(times.length / 2)], bytes: Number((await fetch(host.url + path, { headers: host.headers })).headers.get('content-length') ?? 0) || (await (await fetch(host.url + path, { headers: host.headers })).arrayBuffer()).byteLength });
  }
  console.log(`\nserve: the session read and indexed in ${(ingestMs / 1000).toFixed(1)} s\n`);
  console.log('| View | Median load (ms) | Slowest of ' + values.runs + ' (ms) |\n|---|---:|---:|');
  for (const r of results) console.log(`| ${r.name} | ${Math.round(r.median)} | ${Math.round(r.max)} |`);
  console.log('\n| API request | Median (ms) | Size (KB) |\n|---|---:|---:|');
  for (const a of api) console.log(`| \`${a.path}\` | ${a.median.toFixed(1)} | ${(a.bytes / 1024).toFixed(1)} |`);
  const rss = Number(readFileSync(`/proc/${host.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
  console.log(`\nhost resident memory with the session loaded: ${(rss / 1024).toFixed(0)} MB`);
} finally {
  await browser.close();
  await host.stop();
}

/** A process tree as an agent makes one: workers that run commands, each opening files, some failing. */
function processTree(count, next) {
  const first = Number(readFileSync(next, 'utf8').match(/"timestamp":(\d+)/)?.[1] ?? 1795514400000000000) ;
  const out = [];
  const line = (t, pid, comm, data) => out.push(`{"timestamp":${t},"source":"process","pid":${pid},"tid":${pid},"comm":"${comm}","data":${JSON.stringify(data)}}`);
  const root = 90000;
  line(first, root, 'bash', { event: 'EXEC', ppid: 1, filename: '/usr/bin/bash', argv: ['bash'] });
  const commands = [['git', 'status'], ['npm', 'test'], ['rg', '-n', 'TODO'], ['python3', '-m', 'pytest'], ['cat', 'README.md']];
  for (let i = 0; i < count; i++) {
    const pid = root + 1 + i;
    const t = first + i * 5_000_000;
    const cmd = commands[i % commands.length];
    line(t, pid, 'bash', { event: 'FORK', ppid: root });
    line(t + 100_000, pid, cmd[0], { event: 'EXEC', ppid: root, filename: `/usr/bin/${cmd[0]}`, argv: cmd });
    for (let f = 0; f < 4; f++) line(t + 200_000 + f * 10_000, pid, cmd[0], { event: 'FILE_OPEN', filepath: `/home/dev/proj/src/file${(i * 4 + f) % 700}.ts`, flags: f === 3 ? 0x241 : 0, syscall: 'openat', fd: 3 + f });
    line(t + 3_000_000, pid, cmd[0], { event: 'EXIT', ppid: root, exit_code: i % 7 === 0 ? 1 : 0, signal: null, core_dumped: false, duration_ms: 2.9 });
  }
  return out.join('\n') + '\n';
}
