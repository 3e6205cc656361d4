// A real MCP client (the official SDK's) that initializes, lists the tools, makes one tool call that succeeds and
// calls that fail, asks for a prompt that does not exist (a JSON-RPC error), then prints what it got as one JSON line. Usage:
//   node client.mjs stdio TEE_LOG SERVER_SCRIPT [SERVER_ARGS...]   (the server runs under tee.mjs)
//   node client.mjs http URL
// CALLS (environment, JSON) lists the calls: [{"name":…,"arguments":{…}}], the last ones expected to fail.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const [mode, ...rest] = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
let transport;
if (mode === 'stdio') {
  const [log, ...server] = rest;
  transport = new StdioClientTransport({ command: process.execPath, args: [path.join(here, 'tee.mjs'), log, process.execPath, ...server], stderr: 'ignore' });
} else {
  transport = new StreamableHTTPClientTransport(new URL(rest[0]));
}
const client = new Client({ name: 'agentsight-test-client', version: '1.2.3' });
await client.connect(transport);
const out = { pid: process.pid, server: client.getServerVersion(), session: transport.sessionId ?? null, tools: [], calls: [] };
out.tools = (await client.listTools()).tools.map((t) => t.name);
for (const call of JSON.parse(process.env.CALLS ?? '[]')) {
  try {
    out.calls.push({ name: call.name, result: await client.callTool(call) });
  } catch (error) {
    out.calls.push({ name: call.name, error: { code: error.code ?? null, message: String(error.message) } });
  }
}
try {
  out.prompt = { result: await client.getPrompt({ name: 'no-such-prompt' }) };
} catch (error) {
  out.prompt = { error: { code: error.code ?? null, message: String(error.message) } };
}
if (mode !== 'stdio') {
  await transport.terminateSession().catch(() => {});
}
await client.close();
console.log(JSON.stringify(out));
