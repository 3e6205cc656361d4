// Screenshots of each view for docs/screenshots/, from `agentsight serve` of the tests' recorded session.
//   npm run screenshots   (after a build; writes docs/screenshots/*.png)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, launchBrowser, repoRoot, startHost } from './support.mjs';

const out = process.argv[2] ?? join(repoRoot, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const host = await startHost(['serve', fixture, '--port', '0']);
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  const shots = [
    ['overview', '#/overview', '[data-testid="model-row"]'],
    ['llm-calls', '#/llm', '[data-testid="llm-row"]'],
    ['llm-call', '#/llm/4', '[data-testid="output-messages"]'],
    ['process-tree', '#/processes/2', '[data-testid="proc-files"]'],
    ['timeline', '#/timeline', '[data-testid="tl-lane"]'],
    ['event-log', '#/events/20', '[data-testid="event-json"]'],
    ['pipeline', '#/pipeline', '[data-testid="stage-row"]'],
  ];
  for (const [name, hash, ready] of shots) {
    await page.goto(host.open(hash));
    await page.locator(ready).first().waitFor();
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
    console.log(`${name}.png`);
  }
} finally {
  await browser.close();
  await host.stop();
}
