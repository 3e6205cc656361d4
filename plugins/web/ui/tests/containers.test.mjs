// A process recorded for real in a cgroup named as Docker names a container's (made here under /sys/fs/cgroup, as
// root): the Overview lists the container, a click opens its process, whose detail names it; a process outside any
// container shows none. Needs root and BPF, as every live test here.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, runHost, startHost, tempDir } from './support.mjs';

const id = randomBytes(32).toString('hex');
const root = existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup'
  : existsSync('/sys/fs/cgroup/unified') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup/pids';
const slice = join(root, 'system.slice');
const slicePresent = existsSync(slice);
const cgroup = join(slice, `docker-${id}.scope`);
const dir = tempDir('agentsight-containers-');
let host;
let browser;
let page;
let outsidePid;

before(async () => {
  mkdirSync(cgroup, { recursive: true });
  const session = join(dir, 'session.jsonl');
  const run = await runHost(['record', '--no-server', '--no-summary', '-q', '-o', session, '--', '/bin/sh', '-c',
    `/bin/sleep 0.3; /bin/sh -c 'echo $$ > ${cgroup}/cgroup.procs && exec /bin/sleep 0.41'`]);
  assert.equal(run.code, 0, run.stderr);
  const execs = readFileSync(session, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .filter((e) => e.source === 'process' && e.data.event === 'EXEC');
  outsidePid = execs.find((e) => e.data.argv.join(' ') === '/bin/sleep 0.3').pid;
  host = await startHost(['serve', session, '--port', '0']);
  browser = await launchBrowser();
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  await host?.stop();
  // Empty once the command ended; the kernel refuses to remove a cgroup that still holds a process.
  rmdirSync(cgroup);
  if (!slicePresent) rmdirSync(slice);
  rmSync(dir, { recursive: true, force: true });
});

test('the Overview lists the container and its process\'s detail names it; a process outside has none', async () => {
  await page.goto(host.open('#/overview'));
  const row = page.getByTestId('container-row');
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  const text = await row.innerText();
  assert.match(text, new RegExp(`^${id.slice(0, 12)}\\s+docker\\s+–\\s+1\\s+0\\s+/bin/sleep 0\\.41`));

  await row.getByRole('link').click();
  const detail = page.getByTestId('proc-detail');
  await detail.waitFor();
  assert.match(await detail.locator('h2').innerText(), /^sleep/);
  assert.equal(await detail.getByTestId('proc-container').innerText(), `${id.slice(0, 12)} · docker`);
  assert.equal(await detail.getByTestId('proc-container').locator('[title]').getAttribute('title'), id);

  await page.goto(host.open('#/processes'));
  await page.locator(`[data-testid="proc-node"][data-pid="${outsidePid}"]`).click();
  await page.getByTestId('proc-detail').waitFor();
  assert.match(await page.getByTestId('proc-detail').locator('h2').innerText(), /^sleep/);
  assert.equal(await page.getByTestId('proc-container').count(), 0);
});
