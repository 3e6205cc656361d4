import { useMemo, useState } from 'preact/hooks';
import type { ProcessDetail, ProcessList, ProcessRow } from '../api';
import { clock, duration, exitText, num } from '../format';
import { useLiveVersion } from '../live';
import { go, href, type Route } from '../router';
import { useFetch } from '../useFetch';

const CHILDREN_PAGE = 200;

function ExitBadge({ p }: { p: ProcessRow }) {
  const bad = p.signal !== null || (p.exit_code !== null && p.exit_code !== 0);
  const tone = p.end_ns === null ? 'running' : bad ? 'bad' : 'ok';
  return <span class={`badge ${tone}`} data-testid="exit">{exitText(p)}</span>;
}

function Node({ p, byId, selected, depth, collapsed, toggle }: {
  p: ProcessRow; byId: Map<number, ProcessRow>; selected: number | null; depth: number;
  collapsed: Set<number>; toggle: (id: number) => void;
}) {
  const closed = collapsed.has(p.id);
  return (
    <li>
      <div class={`proc ${selected === p.id ? 'selected' : ''}`} data-testid="proc-node" data-pid={p.pid} data-id={p.id} data-depth={depth}
        data-exit={p.exit_code ?? ''} onClick={() => go('processes', p.id)}>
        {p.children.length > 0
          ? <button class="twisty" aria-label={closed ? 'expand' : 'collapse'} onClick={(e) => { e.stopPropagation(); toggle(p.id); }}>{closed ? '▸' : '▾'}</button>
          : <span class="twisty" />}
        <b>{p.comm}</b> <span class="muted">{p.pid}</span>
        <span class="cmd mono" title={p.command_line}>{p.command_line}</span>
        <ExitBadge p={p} />
        <span class="muted small">{duration(p.duration_ms)}</span>
        {p.files > 0 && <span class="chip" data-testid="files">{num(p.files)} files{p.files_written > 0 ? `, ${num(p.files_written)} written` : ''}</span>}
        {p.llm_calls > 0 && <span class="chip llm" data-testid="calls">{num(p.llm_calls)} LLM calls · {num(p.input_tokens)}/{num(p.output_tokens)} tokens</span>}
        {p.mcp_calls > 0 && <span class="chip mcp" data-testid="mcp-calls">{num(p.mcp_calls)} MCP calls</span>}
      </div>
      {!closed && p.children.length > 0 && <Children p={p} byId={byId} selected={selected} depth={depth} collapsed={collapsed} toggle={toggle} />}
    </li>
  );
}

/** A parent's children, a page at a time: a shell that ran a thousand commands stays quick to open. */
function Children({ p, byId, selected, depth, collapsed, toggle }: {
  p: ProcessRow; byId: Map<number, ProcessRow>; selected: number | null; depth: number;
  collapsed: Set<number>; toggle: (id: number) => void;
}) {
  const [shown, setShown] = useState(CHILDREN_PAGE);
  const children = p.children.map((c) => byId.get(c)).filter((c): c is ProcessRow => !!c);
  return (
    <ul class="tree">
      {children.slice(0, shown).map((c) => <Node key={c.id} p={c} byId={byId} selected={selected} depth={depth + 1} collapsed={collapsed} toggle={toggle} />)}
      {children.length > shown && (
        <li><button class="more" onClick={() => setShown(shown + CHILDREN_PAGE)} data-testid="proc-more">{num(children.length - shown)} more children…</button></li>
      )}
    </ul>
  );
}

function Detail({ id }: { id: number }) {
  const version = useLiveVersion(1000);
  const { data, error } = useFetch<ProcessDetail>(`/api/processes/${id}`, {}, [id, version]);
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  const p = data.process;
  return (
    <div class="side" data-testid="proc-detail">
      <h2>{p.comm} <span class="muted">{p.pid}</span></h2>
      <dl class="facts">
        <dt>Command</dt><dd class="mono">{p.argv ? p.argv.join(' ') : p.command_line}</dd>
        {p.filename && <><dt>Executable</dt><dd class="mono">{p.filename}</dd></>}
        {p.container_id && <><dt>Container</dt><dd data-testid="proc-container"><span class="mono" title={p.container_id}>{p.container_id.slice(0, 12)}</span>
          {p.container_runtime && <span class="muted"> · {p.container_runtime}</span>}{p.pod_uid && <span class="muted"> · pod <span class="mono">{p.pod_uid}</span></span>}</dd></>}
        <dt>Parent</dt><dd>{p.parent_id ? <a href={href('processes', p.parent_id)}>{p.ppid}</a> : p.ppid ?? '–'}</dd>
        <dt>Started</dt><dd class="mono">{p.start_known ? clock(p.start_ns) : `seen from ${clock(p.start_ns)}`}</dd>
        <dt>Ended</dt><dd><ExitBadge p={p} /> {p.end_ns ? <span class="mono">{clock(p.end_ns)}</span> : null} after {duration(p.duration_ms)}</dd>
        <dt>Events</dt><dd><a href={href('events', null, { process: p.id })}>{num(p.events)} events</a> · <a href={href('timeline', null, { process: p.id })}>on the timeline</a></dd>
      </dl>
      <h3>Files opened ({num(data.files.length)})</h3>
      {data.files.length === 0 ? <p class="muted">None seen.</p> : (
        <table class="grid" data-testid="proc-files">
          <thead><tr><th>Time</th><th>Path</th><th>Access</th><th>Result</th></tr></thead>
          <tbody>{data.files.map((f, i) => (
            <tr key={i} class={f.outcome === 'error' ? 'bad' : f.outcome === 'miss' ? 'dim' : ''} data-outcome={f.outcome}
              title={f.outcome === 'miss' ? 'A look-up: the file was not there (not an error)' : undefined}>
              <td class="mono">{clock(f.timestamp)}</td><td class="mono">{f.path}</td><td>{f.access}</td>
              <td>{f.outcome === 'opened' ? `fd ${f.fd ?? '?'}` : f.outcome === 'miss' ? `${f.error ?? 'missing'} (not there)` : f.error ?? 'failed'}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <h3>Connections ({num(data.connections.length)})</h3>
      {data.connections.length === 0 ? <p class="muted">None seen.</p> : (
        <table class="grid clickable" data-testid="proc-connections">
          <thead><tr><th>Time</th><th>Host</th><th>Connect</th><th>TLS</th></tr></thead>
          <tbody>{data.connections.map((c) => (
            <tr key={c.id} class={c.unseen || c.result === 'error' ? 'bad' : ''} onClick={() => go('events', c.first_seq, { process: p.id, source: 'network' })}>
              <td class="mono">{clock(c.start_ns)}</td>
              <td class="mono">{c.host}{c.remote && c.remote !== c.host ? <span class="muted"> {c.remote}</span> : null}</td>
              <td>{c.result === null ? '–' : c.result === 'error' ? c.error ?? 'error' : c.result.replace('_', ' ')}</td>
              <td>{!c.tls ? '' : c.unseen ? `not seen: ${c.reason ?? 'no reason given'}` : (c.alpn ?? []).join(', ') || 'yes'}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <h3>LLM calls ({num(data.calls.length)})</h3>
      {data.calls.length === 0 ? <p class="muted">None.</p> : (
        <table class="grid clickable" data-testid="proc-calls">
          <thead><tr><th>#</th><th>Time</th><th>Model</th><th class="n">Tokens in/out</th><th class="n">Duration</th></tr></thead>
          <tbody>{data.calls.map((c) => (
            <tr key={c.id} onClick={() => go('llm', c.id)}><td>{c.id}</td><td class="mono">{clock(c.start_ns)}</td><td>{c.model}</td><td class="n">{num(c.input_tokens)}/{num(c.output_tokens)}</td><td class="n">{duration(c.duration_ms)}</td></tr>
          ))}</tbody>
        </table>
      )}
      <h3>MCP calls ({num(data.mcp_calls.filter((c) => c.kind !== 'notification').length)})</h3>
      {data.mcp_calls.length === 0 ? <p class="muted">None.</p> : (
        <table class="grid clickable" data-testid="proc-mcp">
          <thead><tr><th>#</th><th>Time</th><th>Server</th><th>Call</th><th class="n">Duration</th><th>Status</th></tr></thead>
          <tbody>{data.mcp_calls.filter((c) => c.kind !== 'notification').map((c) => (
            <tr key={c.id} class={c.is_error ? 'bad' : ''} onClick={() => go('mcp', c.id)}>
              <td>{c.id}</td><td class="mono">{clock(c.start_ns)}</td><td>{c.server}</td>
              <td class="mono">{c.method}{c.tool_name ? ` ${c.tool_name}` : ''}</td><td class="n">{duration(c.duration_ms)}</td>
              <td>{c.is_error ? 'error' : c.complete ? 'ok' : 'no answer'}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </div>
  );
}

export function ProcessTree({ route }: { route: Route }) {
  const version = useLiveVersion(1000);
  const { data, error } = useFetch<ProcessList>('/api/processes', {}, [version]);
  const [collapsed, setCollapsed] = useState<Set<number>>(new Set());
  const byId = useMemo(() => new Map((data?.items ?? []).map((p) => [p.id, p])), [data]);
  const selected = route.id ? Number(route.id) : null;
  const toggle = (id: number) => setCollapsed((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  if (error && !data) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  return (
    <div class="split">
      <div class="tree-pane">
        <p class="muted small" data-testid="proc-count">{num(data.items.length)} processes</p>
        {data.items.length === 0 ? <p class="muted">No processes seen yet.</p> : (
          <ul class="tree root" data-testid="proc-tree">
            {data.roots.map((r) => byId.get(r)).filter((p): p is ProcessRow => !!p).map((p) =>
              <Node key={p.id} p={p} byId={byId} selected={selected} depth={0} collapsed={collapsed} toggle={toggle} />)}
          </ul>
        )}
      </div>
      {selected !== null && <Detail id={selected} />}
    </div>
  );
}
