// Builds samples/mcp-session.jsonl (the MCP browser tests' recording): what `record --` captures of an agent that runs an MCP
// server over stdio, before the analyzers: the agent and the server as processes, and the bytes each wrote to the
// other as `stdio` events (socket pairs, as Node's child_process makes them), each write followed by the other end's
// read. The bytes are a real exchange between the official SDK's client and server-everything, recorded by the chain
// tests' tee (tests/AgentSight.Tests/Plugins/Mcp/Node/tee.mjs):
//
//   CALLS='[{"name":"echo","arguments":{"message":"hello from the UI test"}},{"name":"get-sum","arguments":{"a":2,"b":3}},
//           {"name":"no-such-tool","arguments":{}}]' node client.mjs stdio tee.jsonl SERVER/dist/index.js stdio
//   node make-mcp-session.mjs tee.jsonl > mcp-session.jsonl
//
// `agentsight serve samples/mcp-session.jsonl` (or `replay`) runs the analyzers on it (it holds no analyzer output), so the mcp events the UI
// shows are the analyzer's reading of these bytes.
import { readFileSync } from 'node:fs';

const [input] = process.argv.slice(2);
if (!input) {
  console.error('usage: node make-mcp-session.mjs TEE.jsonl > mcp-session.jsonl');
  process.exit(2);
}
const base = 1795514400000000000n; // 2026-11-24T10:00:00Z
const at = (seconds) => base + BigInt(Math.round(seconds * 1e6)) * 1000n;
const agent = 52100;
const server = 52200;
const toServer = 880001;
const toClient = 880002;
const lines = [];
const line = (t, source, pid, comm, data) => lines.push({ t, text: JSON.stringify({ timestamp: 0, source, pid, tid: pid, comm, data }).replace('"timestamp":0', `"timestamp":${t}`) });

line(at(0), 'process', agent, 'node', { event: 'EXEC', ppid: 1, filename: '/usr/bin/node', argv: ['node', 'agent.mjs'], uid: 1000 });
line(at(0.1), 'process', server, 'node', { event: 'FORK', ppid: agent });
line(at(0.101), 'process', server, 'node', { event: 'EXEC', ppid: agent, filename: '/usr/bin/node', argv: ['node', 'server-everything/dist/index.js', 'stdio'], uid: 1000 });

const reads = readFileSync(input, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const zero = BigInt(reads[0].t);
let last = at(0.2);
for (const r of reads) {
  const t = at(0.2) + (BigInt(r.t) - zero);
  const bytes = Buffer.from(r.b, 'base64');
  const fromClient = r.from === 'client';
  const [writer, reader, stream, wfd, rfd] = fromClient ? [agent, server, toServer, 19, 0] : [server, agent, toClient, 1, 21];
  const payload = (fn, fd, peer) => ({ function: fn, fd, kind: 'unix', stream_id: stream, peer_pid: peer, len: bytes.length, data: bytes.toString('utf8'), truncated: false });
  line(t, 'stdio', writer, 'node', payload('WRITE', wfd, reader));
  line(t + 1000n, 'stdio', reader, 'node', payload('READ', rfd, writer));
  last = t + 1000n;
}
line(last + 50_000_000n, 'process', server, 'node', { event: 'EXIT', ppid: agent, exit_code: 0, signal: null, core_dumped: false, duration_ms: Number(last + 50_000_000n - at(0.101)) / 1e6 });
line(last + 60_000_000n, 'process', agent, 'node', { event: 'EXIT', ppid: 1, exit_code: 0, signal: null, core_dumped: false, duration_ms: Number(last + 60_000_000n - at(0)) / 1e6 });
lines.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
process.stdout.write(lines.map((l) => l.text).join('\n') + '\n');
