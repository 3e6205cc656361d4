import { useState } from 'preact/hooks';
import type { McpCallRow, McpDetail, McpPage } from '../api';
import { clock, duration, num } from '../format';
import { useLiveVersion } from '../live';
import { go, href, type Route } from '../router';
import { useFetch } from '../useFetch';
import { Pager } from './Pager';

const PAGE = 50;

function Status({ call }: { call: McpCallRow }) {
  if (call.kind === 'notification') return <span class="badge">notification</span>;
  if (call.is_error) return <span class="badge bad" title={call.error_message ?? undefined}>{call.error_code ?? call.error_type ?? 'error'}</span>;
  if (!call.complete) return <span class="badge warn">no answer</span>;
  return <span class="badge ok">ok</span>;
}

export function McpCalls({ route }: { route: Route }) {
  if (route.id) return <McpCallDetail id={route.id} />;
  return <McpCallList route={route} />;
}

function McpCallList({ route }: { route: Route }) {
  const server = route.params.get('server') ?? '';
  const errors = route.params.get('errors') ?? '';
  const process = route.params.get('process') ?? '';
  const sort = route.params.get('sort') ?? 'time';
  const [q, setQ] = useState(route.params.get('q') ?? '');
  const [page, setPage] = useState(0);
  const version = useLiveVersion(700);
  const { data, error } = useFetch<McpPage>('/api/mcp', { server, errors, process, sort, q, offset: page * PAGE, limit: PAGE },
    [server, errors, process, sort, q, page, version]);
  const set = (key: string, value: string) => {
    const params: Record<string, string> = { server, errors, process, sort, q };
    params[key] = value;
    setPage(0);
    go('mcp', null, params);
  };
  return (
    <div>
      <h3>Servers</h3>
      {data && data.servers.length === 0 && <p class="muted">No MCP traffic seen{q || server ? ' that matches' : ' yet'}.</p>}
      {data && data.servers.length > 0 && (
        <table class="grid clickable" data-testid="mcp-servers">
          <thead><tr><th>Server</th><th>Version</th><th>Transport</th><th>Where</th><th>Clients</th><th class="n">Calls</th><th class="n">Tool calls</th><th class="n">Errors</th><th class="n">Time in calls</th><th>Tools called</th></tr></thead>
          <tbody>{data.servers.map((s) => (
            <tr key={s.server} data-testid="mcp-server" data-server={s.server} class={server === s.server ? 'selected' : ''}
              onClick={() => set('server', server === s.server ? '' : s.server)}>
              <td><b>{s.name ?? s.server}</b></td>
              <td data-col="version">{s.version ?? '–'}</td>
              <td>{s.transport}</td>
              <td class="mono small">{s.url ?? (s.pid !== null ? `pid ${s.pid}` : '–')}</td>
              <td class="small">{s.clients.join(', ')}</td>
              <td class="n">{num(s.calls)}</td>
              <td class="n">{num(s.tool_calls)}</td>
              <td class="n" data-col="errors">{num(s.errors)}{s.incomplete > 0 ? <span class="muted small"> +{num(s.incomplete)} unanswered</span> : null}</td>
              <td class="n">{duration(s.total_duration_ms)}</td>
              <td class="mono small">{s.tools.join(', ')}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <h3>Calls</h3>
      <div class="toolbar">
        <select aria-label="Server" value={server} onChange={(e) => set('server', (e.target as HTMLSelectElement).value)} data-testid="mcp-server-filter">
          <option value="">All servers</option>
          {(data?.servers ?? []).map((s) => <option key={s.server} value={s.server}>{s.server}</option>)}
        </select>
        <select aria-label="Outcome" value={errors} onChange={(e) => set('errors', (e.target as HTMLSelectElement).value)} data-testid="mcp-errors-filter">
          <option value="">Every outcome</option>
          <option value="true">Failed only</option>
          <option value="false">Not failed</option>
        </select>
        <select aria-label="Sort" value={sort} onChange={(e) => set('sort', (e.target as HTMLSelectElement).value)}>
          <option value="time">In time order</option>
          <option value="duration">Slowest first</option>
        </select>
        <input type="search" placeholder="Search arguments and results…" value={q} onInput={(e) => { setQ((e.target as HTMLInputElement).value); setPage(0); }} />
        {process && <a class="chip" href={href('mcp', null, { server, errors, sort, q })}>process #{process} ✕</a>}
        <span class="muted" data-testid="mcp-total">{data ? `${num(data.total)} calls and notifications` : ''}</span>
      </div>
      {error && <p class="error">{error}</p>}
      <table class="grid clickable" data-testid="mcp-table">
        <thead><tr><th>#</th><th>Time</th><th>Client</th><th>Server</th><th>Method</th><th>Tool</th><th>Arguments</th><th>Result</th><th class="n">Duration</th><th>Status</th></tr></thead>
        <tbody>
          {(data?.items ?? []).map((c) => (
            <tr key={c.id} data-testid="mcp-row" data-id={c.id} data-method={c.method ?? ''} data-tool={c.tool_name ?? ''} data-error={String(c.is_error)}
              class={c.kind === 'notification' ? 'dim' : ''} onClick={() => go('mcp', c.id)}>
              <td>{c.id}</td>
              <td class="mono">{clock(c.start_ns)}</td>
              <td>{c.comm} <span class="muted">{c.pid}</span></td>
              <td>{c.server}</td>
              <td class="mono">{c.method}{c.direction === 'server_to_client' ? <span class="muted small"> ← server</span> : null}</td>
              <td class="mono">{c.tool_name ?? c.target ?? ''}</td>
              <td class="mono small clip" title={c.arguments ?? undefined}>{c.arguments}</td>
              <td class="mono small clip" title={c.result ?? c.error_message ?? undefined}>{c.is_error && c.error_message ? c.error_message : c.result}</td>
              <td class="n" data-col="duration">{c.kind === 'notification' ? '' : duration(c.duration_ms)}</td>
              <td><Status call={c} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && <Pager page={page} size={PAGE} total={data.total} onPage={setPage} />}
    </div>
  );
}

function json(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function McpCallDetail({ id }: { id: string }) {
  const { data, error } = useFetch<McpDetail>(`/api/mcp/${encodeURIComponent(id)}`, {}, [id]);
  const [raw, setRaw] = useState(false);
  if (error) return <p class="error">MCP call {id}: {error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  const c = data.call;
  const f = (data.event?.data ?? {}) as Record<string, unknown>;
  return (
    <div class="detail" data-testid="mcp-detail">
      <p><a href={href('mcp')}>← All MCP calls</a></p>
      <h2>{c.method}{c.tool_name ? ` · ${c.tool_name}` : ''} <span class="muted">on {c.server}</span></h2>
      <dl class="facts">
        <dt>Client</dt><dd><a href={href('processes', c.process_id)}>{c.comm} ({c.pid})</a>{c.client_name ? ` · ${c.client_name}` : ''}</dd>
        <dt>Server</dt><dd data-testid="mcp-detail-server">{c.server_name ?? c.server} {c.server_version}{c.server_pid !== null ? <span class="muted"> pid {c.server_pid}</span> : null}</dd>
        <dt>Transport</dt><dd>{c.transport}{c.url ? <span class="mono"> {c.url}</span> : null}{c.session_id ? <span class="muted small"> session {c.session_id}</span> : null}</dd>
        <dt>Request id</dt><dd class="mono">{c.request_id ?? '–'}</dd>
        <dt>Started</dt><dd class="mono">{clock(c.start_ns)}</dd>
        <dt>Duration</dt><dd data-testid="mcp-detail-duration">{c.kind === 'notification' ? 'a notification' : duration(c.duration_ms)}</dd>
        <dt>Status</dt><dd><Status call={c} />{c.truncated ? <span class="muted small"> (cut at the size cap)</span> : null}</dd>
      </dl>
      <h3>Arguments</h3>
      <pre class="json" data-testid="mcp-arguments">{json(f.arguments) || '–'}</pre>
      {f.error ? <><h3>Error</h3><pre class="json" data-testid="mcp-error">{json(f.error)}</pre></> : null}
      <h3>Result</h3>
      <pre class="json" data-testid="mcp-result">{json(f.result) || (c.complete ? '–' : 'No answer was seen.')}</pre>
      <p><button onClick={() => setRaw(!raw)}>{raw ? 'Hide' : 'Show'} the mcp event</button> <a href={href('events', c.event_seq)}>in the event log</a></p>
      {raw && <pre class="json">{JSON.stringify(data.event, null, 2)}</pre>}
    </div>
  );
}
