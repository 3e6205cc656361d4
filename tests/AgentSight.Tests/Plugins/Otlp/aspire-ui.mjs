// Drives the Aspire dashboard's UI in headless Chromium (the web UI's own playwright-core and Debian's chromium):
// opens the trace whose root span is named ROOT, the GenAI details of its span named CHAT, then the token usage
// metric, and prints what a person would read there as one JSON object. Screenshots go to SHOTS/.
// node aspire-ui.mjs DASHBOARD_URL ROOT CHAT SHOTS
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [url, root, chat, shots] = process.argv.slice(2);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const { chromium } = createRequire(path.join(repo, 'plugins/web/ui/package.json'))('playwright-core');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const result = {};
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(`${url}/traces`, { waitUntil: 'networkidle' });
  await page.getByText(root).first().waitFor({ timeout: 20000 });
  result.traces = await page.innerText('body');
  await page.screenshot({ path: path.join(shots, 'traces.png') });
  await page.getByText(root).first().click();
  // The first span named CHAT: its name cell holds the GenAI details button.
  const chatRow = page.getByRole('gridcell', { name: chat }).filter({ has: page.locator('.genai-details-button') }).first();
  await chatRow.waitFor({ timeout: 20000 });
  result.trace = await page.innerText('body');
  await page.screenshot({ path: path.join(shots, 'trace.png') });
  await chatRow.locator('.genai-details-button').first().click();
  await page.getByText('Input & output').first().waitFor({ timeout: 20000 });
  await page.waitForTimeout(500);
  result.genai = await page.innerText('body');
  await page.screenshot({ path: path.join(shots, 'genai.png') });
  await page.goto(`${url}/metrics`, { waitUntil: 'networkidle' });
  await page.getByText('gen_ai.client.token.usage').first().waitFor({ timeout: 20000 });
  await page.goto(`${page.url().split('?')[0]}?meter=AgentSight&instrument=gen_ai.client.token.usage&duration=5`, { waitUntil: 'networkidle' });
  await page.getByText('Tokens used by a call to a model').first().waitFor({ timeout: 20000 });
  result.metrics = await page.innerText('body');
  await page.screenshot({ path: path.join(shots, 'metrics.png') });
} catch (error) {
  result.error = String(error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
