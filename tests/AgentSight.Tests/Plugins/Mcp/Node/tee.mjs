// Runs an MCP server as a child and copies both directions of its stdio through, recording every read (one line
// of JSON per read: who wrote it, the server's pid, when, and the bytes) so a test can replay the exact bytes and
// their boundaries.
// Usage: node tee.mjs LOG_FILE COMMAND [ARGS...]
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

const [log, command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
const record = (from, bytes) =>
  appendFileSync(log, JSON.stringify({ from, server_pid: child.pid, t: process.hrtime.bigint().toString(), b: bytes.toString('base64') }) + '\n');

process.stdin.on('data', (bytes) => {
  record('client', bytes);
  child.stdin.write(bytes);
});
process.stdin.on('end', () => child.stdin.end());
child.stdout.on('data', (bytes) => {
  record('server', bytes);
  process.stdout.write(bytes);
});
child.on('exit', (code) => process.exit(code ?? 0));
