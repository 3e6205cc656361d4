// `npm test`: every browser test (tests/*.test.mjs) with node's test runner, readable on the terminal and as JUnit
// XML for scripts/test, which adds the counts to the repository's closing line. A test that cannot run (no Chromium,
// no host build) fails; nothing is skipped.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const results = resolve(process.env.AGENTSIGHT_UI_TEST_RESULTS ?? join(here, '../../../../artifacts/test-results/web-ui.junit.xml'));
mkdirSync(dirname(results), { recursive: true });
const files = readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(here, f));
const run = spawnSync(process.execPath, [
  '--test', '--test-concurrency=1',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=junit', `--test-reporter-destination=${results}`,
  ...files,
], { stdio: 'inherit' });
process.exit(run.status ?? 1);
