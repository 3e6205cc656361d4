// The server answers only with its own files and API, and only to who holds the printed token: no path reaches the
// filesystem, other Host names are refused (DNS rebinding), and no CORS header lets another origin read it.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { fixture, launchBrowser, startHost } from './support.mjs';

let host;
before(async () => { host = await startHost(['serve', fixture, '--port', '0']); });
after(async () => { await host?.stop(); });

/** A raw request with the token (unless `headers` says otherwise): the path goes out exactly as written (no URL normalization), like curl --path-as-is. */
function raw(path, headers = host.headers) {
  const { hostname, port } = new URL(host.url);
  return new Promise((resolve, reject) => {
    // A connection of its own: one the POST test left behind may have been closed by the server.
    const req = request({ hostname, port, path, method: 'GET', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => { body += d; }).on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const escapes = [
  '/../etc/passwd', '/../../../../etc/passwd', '//etc/passwd', '///etc/passwd', '/%2e%2e/%2e%2e/etc/passwd',
  '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/..%2f..%2fetc/passwd', '/%2E%2E/etc/passwd', '/assets/../../etc/passwd',
  '/assets/..%2f..%2f..%2fetc%2fpasswd', '/index.html/../../etc/passwd', '/.%2e/.%2e/etc/passwd', '/..\\..\\etc\\passwd',
  '/%252e%252e/etc/passwd', '/api/../../etc/passwd', '/etc/passwd', '/proc/self/environ', '/web.dll', '/../web.dll',
  '/%2fetc%2fpasswd',
];

for (const path of escapes) {
  test(`GET ${path} is 404 and reads no file`, async () => {
    const res = await raw(path);
    assert.equal(res.status, 404, `${path} answered ${res.status}`);
    assert.doesNotMatch(res.body, /root:|DOTNET|MZ/);
  });
}

test('the UI and the API answer on the server\'s own address', async () => {
  assert.equal((await raw('/')).status, 200);
  const api = await raw('/api/session');
  assert.equal(api.status, 200);
  assert.equal(api.headers['access-control-allow-origin'], undefined, 'no CORS header');
  assert.equal(api.headers['x-content-type-options'], 'nosniff');
});

test('a request for another Host name is refused (DNS rebinding)', async () => {
  const res = await raw('/api/overview', { ...host.headers, Host: `attacker.example:${new URL(host.url).port}` });
  assert.equal(res.status, 403);
  assert.doesNotMatch(res.body, /llm/);
});

test('other methods are not served', async () => {
  const { hostname, port } = new URL(host.url);
  const status = await new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: '/api/events', method: 'POST', headers: host.headers }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    req.end('{}');
  });
  assert.equal(status, 404);
});

test('without the token the page, the API and the live stream are 401 and show nothing', async () => {
  const wrong = { authorization: `Bearer ${host.token.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}` };
  for (const path of ['/', '/api/session', '/api/llm', '/api/live']) {
    for (const headers of [{}, wrong]) {
      const res = await raw(path, headers);
      assert.equal(res.status, 401, `${path} answered ${res.status}`);
      assert.doesNotMatch(res.body, /claude|<script/);
    }
  }
});

test('--no-auth serves without the token and the page says so', async () => {
  const open = await startHost(['serve', fixture, '--port', '0', '--no-auth']);
  const browser = await launchBrowser();
  try {
    assert.equal(open.token, null);
    assert.match(open.stderr, /WRN\] web: The web UI has no access control/);
    const page = await browser.newPage();
    await page.goto(open.open('#/overview'));
    await page.getByTestId('no-auth-warning').waitFor();
  } finally {
    await browser.close();
    await open.stop();
  }
});
