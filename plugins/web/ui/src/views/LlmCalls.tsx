import { useState } from 'preact/hooks';
import type { LlmCallRow, LlmDetail, LlmPage } from '../api';
import { clock, duration, num } from '../format';
import { useLiveVersion } from '../live';
import { go, href, type Route } from '../router';
import { useFetch } from '../useFetch';
import { Pager } from './Pager';

const PAGE = 50;

function Status({ call }: { call: LlmCallRow }) {
  if (call.error_type || (call.status_code ?? 0) >= 400) return <span class="badge bad">{call.error_type ?? call.status_code}</span>;
  if (call.complete === false) return <span class="badge warn">incomplete</span>;
  return <span class="badge ok">{call.status_code ?? 'ok'}</span>;
}

export function LlmCalls({ route }: { route: Route }) {
  if (route.id) return <LlmCallDetail id={route.id} />;
  return <LlmCallList route={route} />;
}

function LlmCallList({ route }: { route: Route }) {
  const model = route.params.get('model') ?? '';
  const sort = route.params.get('sort') ?? 'time';
  const process = route.params.get('process') ?? '';
  const [q, setQ] = useState(route.params.get('q') ?? '');
  const [page, setPage] = useState(0);
  const version = useLiveVersion(700);
  const { data, error } = useFetch<LlmPage>('/api/llm', { model, sort, process, q, offset: page * PAGE, limit: PAGE }, [model, sort, process, q, page, version]);
  const set = (key: string, value: string) => {
    const params: Record<string, string> = { model, sort, process, q };
    params[key] = value;
    setPage(0);
    go('llm', null, params);
  };
  return (
    <div>
      <div class="toolbar">
        <select aria-label="Model" value={model} onChange={(e) => set('model', (e.target as HTMLSelectElement).value)}>
          <option value="">All models</option>
          {(data?.models ?? []).map((m) => <option key={m} value={m}>{m}</option>)}
        </select>
        <select aria-label="Sort" value={sort} onChange={(e) => set('sort', (e.target as HTMLSelectElement).value)}>
          <option value="time">In time order</option>
          <option value="duration">Slowest first</option>
          <option value="tokens">Most tokens first</option>
        </select>
        <input type="search" placeholder="Search prompts and answers…" value={q} onInput={(e) => { setQ((e.target as HTMLInputElement).value); setPage(0); }} />
        {process && <a class="chip" href={href('llm', null, { model, sort, q })}>process #{process} ✕</a>}
        <span class="muted" data-testid="llm-total">{data ? `${num(data.total)} calls` : ''}</span>
      </div>
      {error && <p class="error">{error}</p>}
      <table class="grid clickable" data-testid="llm-table">
        <thead><tr><th>#</th><th>Time</th><th>Process</th><th>Model</th><th class="n">Tokens in</th><th class="n">Tokens out</th><th class="n">Cache read</th><th class="n">Duration</th><th class="n">TTFT</th><th>Status</th><th>Endpoint</th></tr></thead>
        <tbody>
          {(data?.items ?? []).map((c) => (
            <tr key={c.id} data-testid="llm-row" data-id={c.id} data-model={c.model} onClick={() => go('llm', c.id)}>
              <td>{c.id}</td>
              <td class="mono">{clock(c.start_ns)}</td>
              <td>{c.comm} <span class="muted">{c.pid}</span></td>
              <td>{c.model}{c.streaming ? <span class="muted small"> stream</span> : null}</td>
              <td class="n" data-col="in">{num(c.input_tokens)}</td>
              <td class="n" data-col="out">{num(c.output_tokens)}</td>
              <td class="n">{num(c.cache_read_tokens)}</td>
              <td class="n" data-col="duration">{duration(c.duration_ms)}</td>
              <td class="n">{duration(c.ttft_ms)}</td>
              <td><Status call={c} /></td>
              <td class="mono small">{c.server_address}{c.url_path}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && data.items.length === 0 && <p class="muted">No LLM calls{model || q ? ' match' : ' yet'}.</p>}
      {data && <Pager page={page} size={PAGE} total={data.total} onPage={setPage} />}
    </div>
  );
}

type Part = Record<string, unknown> & { type?: string };
type Message = { role?: string; parts?: Part[]; finish_reason?: string };

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function PartView({ part }: { part: Part }) {
  switch (part.type) {
    case 'text':
      return <pre class="part text">{text(part.content)}</pre>;
    case 'reasoning':
    case 'thinking':
      return <details class="part reasoning"><summary>reasoning</summary><pre>{text(part.content ?? part.thinking)}</pre></details>;
    case 'tool_call':
      return (
        <div class="part tool-call" data-testid="tool-call">
          <div class="part-head">tool call <b>{text(part.name)}</b> <span class="muted small">{text(part.id)}</span></div>
          <pre>{text(part.arguments)}</pre>
        </div>
      );
    case 'tool_call_response':
      return <div class="part tool-result"><div class="part-head">tool result <span class="muted small">{text(part.id)}</span></div><pre>{text(part.response ?? part.result ?? part.content)}</pre></div>;
    default:
      return <pre class="part">{text(part)}</pre>;
  }
}

function Messages({ messages, testid }: { messages: unknown; testid: string }) {
  if (!Array.isArray(messages) || messages.length === 0) return <p class="muted">None captured.</p>;
  return (
    <div class="messages" data-testid={testid}>
      {(messages as Message[]).map((m, i) => (
        <div key={i} class={`message role-${m.role ?? 'unknown'}`} data-testid="message" data-role={m.role}>
          <div class="role">{m.role ?? '?'}{m.finish_reason ? <span class="muted small"> · {m.finish_reason}</span> : null}</div>
          {(m.parts ?? []).map((p, j) => <PartView key={j} part={p} />)}
        </div>
      ))}
    </div>
  );
}

function System({ value }: { value: unknown }) {
  if (value === undefined || value === null) return <p class="muted">None.</p>;
  const parts = Array.isArray(value) ? (value as Part[]) : [{ type: 'text', content: value } as Part];
  return <div class="message role-system" data-testid="system">{parts.map((p, i) => <PartView key={i} part={p} />)}</div>;
}

function LlmCallDetail({ id }: { id: string }) {
  const { data, error } = useFetch<LlmDetail>(`/api/llm/${encodeURIComponent(id)}`, {}, [id]);
  const [raw, setRaw] = useState(false);
  if (error) return <p class="error">Call {id}: {error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  const c = data.call;
  const f = (data.event?.data ?? {}) as Record<string, unknown>;
  const tools = f['gen_ai.tool.definitions'];
  return (
    <div class="detail" data-testid="llm-detail">
      <p><a href={href('llm')}>← All calls</a></p>
      <h2>Call #{c.id}: {c.model}</h2>
      <dl class="facts">
        <dt>Process</dt><dd><a href={href('processes', c.process_id)}>{c.comm} ({c.pid})</a></dd>
        <dt>Provider</dt><dd>{c.provider} {c.operation}</dd>
        <dt>Started</dt><dd class="mono">{clock(c.start_ns)}</dd>
        <dt>Duration</dt><dd data-testid="detail-duration">{duration(c.duration_ms)}</dd>
        <dt>Time to first token</dt><dd data-testid="detail-ttft">{duration(c.ttft_ms)}</dd>
        <dt>Tokens</dt><dd data-testid="detail-tokens">{num(c.input_tokens)} in · {num(c.output_tokens)} out · {num(c.cache_read_tokens)} cache read{c.reasoning_tokens ? ` · ${num(c.reasoning_tokens)} reasoning` : ''}</dd>
        <dt>Status</dt><dd><Status call={c} /> {c.finish_reasons?.join(', ')}</dd>
        <dt>Endpoint</dt><dd class="mono">{data.http?.method ?? ''} {c.server_address}{c.url_path}</dd>
        {data.http && <><dt>HTTP</dt><dd>{data.http.status ?? 'no response'} · {num(data.http.request_body_size)} B sent · {num(data.http.response_body_size)} B received{data.http.streamed ? ' (streamed)' : ''}{data.http.complete ? '' : ` · ${data.http.end_reason}`}</dd></>}
        <dt>Exchange</dt><dd class="mono small">{c.exchange_id}</dd>
      </dl>
      <h3>System</h3>
      <System value={f['gen_ai.system_instructions']} />
      <h3>Messages</h3>
      <Messages messages={f['gen_ai.input.messages']} testid="input-messages" />
      <h3>Response</h3>
      <Messages messages={f['gen_ai.output.messages']} testid="output-messages" />
      {Array.isArray(tools) && tools.length > 0 && (
        <details><summary>{tools.length} tools offered</summary>
          <ul class="plain">{(tools as Part[]).map((t, i) => <li key={i}><b>{text(t.name)}</b> <span class="muted">{text(t.description)}</span></li>)}</ul>
        </details>
      )}
      <p><button onClick={() => setRaw(!raw)}>{raw ? 'Hide' : 'Show'} the llm event</button> <a href={href('events', c.event_seq)}>in the event log</a></p>
      {raw && <pre class="json">{JSON.stringify(data.event, null, 2)}</pre>}
    </div>
  );
}
