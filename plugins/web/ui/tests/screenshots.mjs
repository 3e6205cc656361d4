// Screenshots of each view for docs/screenshots/, from `agentsight serve` of the tests' recorded session, and of the
// MCP view from samples/mcp-session.jsonl.
//   npm run screenshots [OUT] [NAME…]   (after a build; writes docs/screenshots/*.png, or only the NAMEs given)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, launchBrowser, repoRoot, startHost } from './support.mjs';

const out = process.argv[2] ?? join(repoRoot, 'docs', 'screenshots');
const only = new Set(process.argv.slice(3));
mkdirSync(out, { recursive: true });
const browser = await launchBrowser();

/** Serves `session` and shoots each [name, hash, selector to wait for, selector to click first (optional)]. */
async function shoot(session, shots) {
  const host = await startHost(['serve', session, '--port', '0']);
  try {
    const page = await browser.newPage();
    for (const [name, hash, ready, click] of shots) {
      if (only.size > 0 && !only.has(name)) continue;
      await page.goto(host.open(hash));
      if (click) await page.locator(click).first().click();
      await page.locator(ready).first().waitFor();
      await page.waitForTimeout(400);
      await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
      console.log(`${name}.png`);
    }
  } finally {
    await host.stop();
  }
}

try {
  await shoot(fixture, [
    ['overview', '#/overview', '[data-testid="model-row"]'],
    ['llm-calls', '#/llm', '[data-testid="llm-row"]'],
    ['llm-call', '#/llm/4', '[data-testid="output-messages"]'],
    ['process-tree', '#/processes/2', '[data-testid="proc-files"]'],
    ['timeline', '#/timeline', '[data-testid="tl-lane"]'],
    ['event-log', '#/events/20', '[data-testid="event-json"]'],
    ['pipeline', '#/pipeline', '[data-testid="stage-row"]'],
  ]);
  await shoot(join(repoRoot, 'samples', 'mcp-session.jsonl'), [
    ['mcp', '#/mcp', '[data-testid="mcp-row"]'],
    ['mcp-call', '#/mcp', '[data-testid="mcp-result"]', '[data-testid="mcp-row"][data-tool="echo"]'],
  ]);
} finally {
  await browser.close();
}
