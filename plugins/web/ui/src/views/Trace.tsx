import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, type LlmDetail, type SpanRow, type TraceView } from '../api';
import { clock, duration, num, usd } from '../format';
import { useLiveVersion } from '../live';
import { href, type Route } from '../router';
import { useFetch } from '../useFetch';

interface Node { span: SpanRow; children: Node[]; depth: number }

/** The spans as trees: children under their parent, by start; a span whose parent is not (yet) there is a root. */
function build(spans: SpanRow[]): Node[] {
  const nodes = new Map<string, Node>();
  for (const s of spans) nodes.set(s.span_id, { span: s, children: [], depth: 0 });
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parent_span_id ? nodes.get(node.span.parent_span_id) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const order = (a: Node, b: Node) => a.span.start_ns - b.span.start_ns || a.span.name.localeCompare(b.span.name);
  const walk = (list: Node[], depth: number) => {
    list.sort(order);
    for (const n of list) { n.depth = depth; walk(n.children, depth + 1); }
  };
  walk(roots, 0);
  return roots;
}

function flatten(node: Node, out: Node[] = []): Node[] {
  out.push(node);
  for (const c of node.children) flatten(c, out);
  return out;
}

const attr = (s: SpanRow, key: string) => s.attributes[key] as number | string | undefined;

/** Tokens of a chat, a conversation or a run: "1,234 → 56". */
function tokens(s: SpanRow): string {
  const i = attr(s, 'gen_ai.usage.input_tokens');
  const o = attr(s, 'gen_ai.usage.output_tokens');
  return i === undefined && o === undefined ? '' : `${num(i as number)} → ${num(o as number)}`;
}

function cost(s: SpanRow): string {
  if (!['chat', 'invoke_agent'].includes(s.operation)) return '';
  const value = attr(s, 'agentsight.cost.usd') as number | undefined;
  return usd(value ?? null, Number(attr(s, 'agentsight.cost.unpriced_calls') ?? 0));
}

/** A short text of a message's parts, for the diff. */
function partText(part: Record<string, unknown>): string {
  switch (part.type) {
    case 'text': return String(part.content ?? '');
    case 'reasoning': return `(thinking) ${String(part.content ?? '')}`;
    case 'tool_call': return `→ ${String(part.name)}(${JSON.stringify(part.arguments)})`;
    case 'tool_call_response': return `← ${String(part.id)}: ${typeof part.response === 'string' ? part.response : JSON.stringify(part.response)}`;
    default: return JSON.stringify(part);
  }
}

type Message = { role?: string; parts?: Record<string, unknown>[] };

/**
 * What the agent added this turn: the call's input messages after the longest prefix it shares with the previous
 * call of its conversation (the history carried over, by exact JSON).
 */
function TurnDiff({ callId, previousId }: { callId: number; previousId: number | null }) {
  const [state, setState] = useState<{ added: Message[]; kept: number; total: number } | string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    const input = async (id: number) => ((await get<LlmDetail>(`/api/llm/${id}`, {}, controller.signal)).event?.data?.['gen_ai.input.messages'] ?? []) as Message[];
    (async () => {
      const now = await input(callId);
      const before = previousId === null ? [] : await input(previousId);
      let kept = 0;
      while (kept < now.length && kept < before.length && JSON.stringify(now[kept]) === JSON.stringify(before[kept])) kept++;
      setState({ added: now.slice(kept), kept, total: now.length });
    })().catch((e: unknown) => { if (!controller.signal.aborted) setState(String(e)); });
    return () => controller.abort();
  }, [callId, previousId]);
  if (state === null) return <div class="muted small">Loading…</div>;
  if (typeof state === 'string') return <div class="error">{state}</div>;
  return (
    <div class="turn-diff" data-testid="turn-diff">
      <div class="muted small" data-testid="turn-diff-summary">
        {previousId === null ? `First call of its conversation: ${state.total} input messages` : `${state.kept} of ${state.total} input messages carried over from the previous call; added this turn:`}
      </div>
      {state.added.map((m, i) => (
        <div key={i} class="diff-added" data-testid="turn-diff-message">
          <b>+ {m.role ?? '?'}</b> {(m.parts ?? []).map((p, j) => <div key={j} class="mono small">{partText(p)}</div>)}
        </div>
      ))}
    </div>
  );
}

/** One trace as a waterfall: each span a row, indented under its parent, its bar placed on the trace's time. */
function Waterfall({ root }: { root: Node }) {
  const [open, setOpen] = useState<string | null>(null);
  const rows = flatten(root);
  const start = Math.min(...rows.map((r) => r.span.start_ns));
  const end = Math.max(...rows.map((r) => r.span.end_ns), start + 1);
  const span = end - start;
  // The previous chat of the same conversation, for each chat: what its input is compared with.
  const previous = new Map<string, number | null>();
  for (const n of rows) {
    const chats = n.children.filter((c) => c.span.operation === 'chat' && c.span.call_id !== null);
    chats.forEach((c, i) => previous.set(c.span.span_id, i === 0 ? null : chats[i - 1].span.call_id));
  }
  return (
    <table class="grid waterfall" data-testid="trace-waterfall" data-trace={root.span.trace_id}>
      <thead><tr><th>Span</th><th class="bar-col">{clock(start)} → {duration(span / 1e6)}</th><th class="n">Duration</th><th class="n">Tokens</th><th class="n">Cost</th></tr></thead>
      <tbody>
        {rows.map((n) => {
          const s = n.span;
          const link = s.call_id !== null ? href('llm', s.call_id) : s.process_id !== null ? href('processes', s.process_id) : null;
          const left = ((s.start_ns - start) / span) * 100;
          const width = Math.max(0.3, ((s.end_ns - s.start_ns) / span) * 100);
          const isChat = s.operation === 'chat' && s.call_id !== null;
          return (
            <Fragment key={s.span_id}>
              <tr data-testid="span-row" data-operation={s.operation} data-name={s.name} data-depth={n.depth} data-status={s.status}
                data-span={s.span_id} data-parent={s.parent_span_id ?? ''}>
                <td style={{ paddingLeft: `${0.4 + n.depth * 1.1}em` }} title={s.status_message ?? undefined}>
                  {link ? <a href={link} data-testid="span-link">{s.name}</a> : <span>{s.name}</span>}
                  {s.status === 'error' && <span class="bad small"> {s.status_message ?? 'error'}</span>}
                  {isChat && (
                    <button type="button" class="link small" data-testid="turn-diff-toggle" onClick={() => setOpen(open === s.span_id ? null : s.span_id)}>
                      {open === s.span_id ? 'hide turn' : 'this turn'}
                    </button>
                  )}
                </td>
                <td class="bar-col"><div class={`bar op-${s.operation} st-${s.status}`} style={{ marginLeft: `${left}%`, width: `${width}%` }} /></td>
                <td class="n" data-col="duration">{duration((s.end_ns - s.start_ns) / 1e6)}</td>
                <td class="n" data-col="tokens">{tokens(s)}</td>
                <td class="n" data-col="cost">{cost(s)}</td>
              </tr>
              {isChat && open === s.span_id && (
                <tr><td colSpan={5}><TurnDiff callId={s.call_id!} previousId={previous.get(s.span_id) ?? null} /></td></tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * The agent's story, from the trace analyzer's span events: each run as a waterfall (conversation, chat, tool call,
 * the processes and files of each tool), with durations, tokens and cost; a click opens the call or the process.
 */
export function Trace(_props: { route: Route }) {
  const version = useLiveVersion(1000);
  const { data, error } = useFetch<TraceView>('/api/trace', {}, [version]);
  if (error && !data) return <p class="error">Could not load the trace: {error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  if (data.spans.length === 0) {
    return <p class="muted" data-testid="trace-empty">No spans: the trace stage writes each run when its calls and tools end (docs/ANALYZERS.md, "trace"); a session recorded without it has none.</p>;
  }
  const roots = build(data.spans);
  return (
    <div class="trace" data-testid="trace">
      {data.dropped > 0 && <div class="warning">{num(data.dropped)} spans past the view's bound are not shown.</div>}
      {roots.map((r) => <section key={r.span.span_id}><Waterfall root={r} /></section>)}
    </div>
  );
}
