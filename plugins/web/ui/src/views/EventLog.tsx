import { useEffect, useRef, useState } from 'preact/hooks';
import { get, type EventDetail, type EventPage, type EventRow, type SessionInfo } from '../api';
import { clock, num, offset } from '../format';
import { live, useLiveVersion } from '../live';
import { go, href, type Route } from '../router';
import { useFetch } from '../useFetch';

const LIMIT = 100;

/** Seconds after the session's start, as typed in the range boxes, to epoch ns. */
function rangeNs(text: string, startNs: number | null | undefined): number | null {
  const seconds = Number.parseFloat(text);
  return text.trim() === '' || Number.isNaN(seconds) || startNs === null || startNs === undefined ? null : startNs + seconds * 1e9;
}

function Detail({ seq, startNs }: { seq: string; startNs: number | null | undefined }) {
  const { data, error } = useFetch<EventDetail>(`/api/events/${encodeURIComponent(seq)}`, {}, [seq]);
  if (error) return <div class="side"><p class="error">Event {seq}: {error}</p></div>;
  if (!data) return <div class="side"><p class="muted">Loading…</p></div>;
  const e = data.event;
  const payload = (data.json as { data?: Record<string, unknown> }).data;
  const bytes = (e.source === 'ssl' || e.source === 'socket' || e.source === 'stdio') && typeof payload?.data === 'string' ? (payload.data as string) : null;
  return (
    <div class="side" data-testid="event-detail">
      <p><button onClick={() => go('events', null, Object.fromEntries(new URLSearchParams(location.hash.split('?')[1] ?? '')))}>✕ Close</button></p>
      <h2>{e.source} <span class="muted">#{e.seq}</span></h2>
      <dl class="facts">
        <dt>Time</dt><dd class="mono">{clock(e.timestamp)} <span class="muted">{offset(e.timestamp, startNs)}</span></dd>
        <dt>Timestamp</dt><dd class="mono">{String(e.timestamp)} ns</dd>
        <dt>Process</dt><dd><a href={href('processes', e.process_id || null)}>{e.comm} ({e.pid})</a>{e.tid && e.tid !== e.pid ? <span class="muted"> thread {e.tid}</span> : null}</dd>
        <dt>Summary</dt><dd>{e.summary}</dd>
      </dl>
      {bytes !== null && <><h3>Bytes</h3><pre class="json">{bytes}</pre></>}
      <h3>JSON</h3>
      <pre class="json" data-testid="event-json">{JSON.stringify(data.json, null, 2)}</pre>
    </div>
  );
}

export function EventLog({ route }: { route: Route }) {
  const p = route.params;
  const sources = p.get('source') ?? '';
  const pid = p.get('pid') ?? '';
  const comm = p.get('comm') ?? '';
  const processId = p.get('process') ?? '';
  const from = p.get('from') ?? '';
  const to = p.get('to') ?? '';
  const [q, setQ] = useState(p.get('q') ?? '');
  const [query, setQuery] = useState(q);
  const [rows, setRows] = useState<EventRow[]>([]);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const version = useLiveVersion(800);
  const info = useFetch<SessionInfo>('/api/session', {}, [version]).data;
  const startNs = info?.start_ns;
  const filtered = sources !== '' || pid !== '' || comm !== '' || processId !== '' || query !== '' || from !== '' || to !== '';
  const params = { source: sources, pid, comm, process: processId, q: query, from: rangeNs(from, startNs), to: rangeNs(to, startNs) };
  const key = JSON.stringify(params);
  const loadedMore = useRef(false);

  // Debounced search box.
  useEffect(() => {
    const t = window.setTimeout(() => setQuery(q), 250);
    return () => window.clearTimeout(t);
  }, [q]);

  // The first page: on any filter change, and while live when filters hide what the live feed pushes.
  const lastKey = useRef('');
  useEffect(() => {
    // A live refresh would take the reader away from the older pages they loaded; a change of filters does not.
    if (lastKey.current === key && loadedMore.current) return undefined;
    lastKey.current = key;
    const controller = new AbortController();
    get<EventPage>('/api/events', { ...params, limit: LIMIT }, controller.signal)
      .then((page) => { setRows(page.items); setTotal(page.total); setNext(page.next_before); setError(null); loadedMore.current = false; })
      .catch((e: unknown) => { if (!controller.signal.aborted) setError(String(e)); });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, filtered ? version : 0]);

  // Unfiltered: new events go on top as they arrive, without a request.
  useEffect(() => {
    if (filtered || paused) return undefined;
    return live.onEvents((incoming) => {
      setRows((current) => {
        const known = current.length > 0 ? current[0].seq : 0;
        const fresh = incoming.filter((r) => r.seq > known).reverse();
        return fresh.length === 0 ? current : [...fresh, ...current].slice(0, Math.max(LIMIT, current.length));
      });
      setTotal((t) => Math.max(t, incoming[incoming.length - 1]?.seq ?? t));
    });
  }, [filtered, paused]);

  const more = () => {
    if (next === null) return;
    get<EventPage>('/api/events', { ...params, before: next, limit: LIMIT })
      .then((page) => { setRows((r) => [...r, ...page.items]); setNext(page.next_before); loadedMore.current = true; })
      .catch((e: unknown) => setError(String(e)));
  };
  const set = (k: string, v: string) => {
    const next: Record<string, string> = { source: sources, pid, comm, process: processId, q, from, to };
    next[k] = v;
    go('events', null, next);
  };
  const chosen = new Set(sources.split(',').filter(Boolean));
  const toggleSource = (s: string) => {
    const n = new Set(chosen);
    if (n.has(s)) n.delete(s); else n.add(s);
    set('source', [...n].join(','));
  };

  return (
    <div class={route.id ? 'split' : ''}>
      <div>
        <div class="toolbar wrap">
          <input type="search" placeholder="Search every field…" value={q} aria-label="Search" data-testid="ev-search"
            onInput={(e) => setQ((e.target as HTMLInputElement).value)} onChange={(e) => set('q', (e.target as HTMLInputElement).value)} />
          <select aria-label="Process name" value={comm} onChange={(e) => set('comm', (e.target as HTMLSelectElement).value)}>
            <option value="">All processes</option>
            {Object.entries(info?.comms ?? {}).sort().map(([c, n]) => <option key={c} value={c}>{c} ({num(n)})</option>)}
          </select>
          <input class="short" placeholder="pid" aria-label="pid" value={pid} onChange={(e) => set('pid', (e.target as HTMLInputElement).value)} />
          <input class="short" placeholder="from s" aria-label="from (seconds after start)" value={from} onChange={(e) => set('from', (e.target as HTMLInputElement).value)} />
          <input class="short" placeholder="to s" aria-label="to (seconds after start)" value={to} onChange={(e) => set('to', (e.target as HTMLInputElement).value)} />
          {processId && <a class="chip" href={href('events', null, { source: sources, q })}>process #{processId} ✕</a>}
          <label class="small"><input type="checkbox" checked={paused} onChange={() => setPaused(!paused)} /> pause live</label>
        </div>
        <div class="toolbar wrap">
          {Object.entries(info?.sources ?? {}).sort().map(([s, n]) => (
            <button key={s} class={`chip source-${s} ${chosen.has(s) ? 'on' : ''}`} data-testid="source-chip" data-source={s} onClick={() => toggleSource(s)}>{s} {num(n)}</button>
          ))}
          <span class="muted" data-testid="ev-total">{num(total)} events{filtered ? ' match' : ''}</span>
        </div>
        {error && <p class="error">{error}</p>}
        <table class="grid clickable events" data-testid="ev-table">
          <thead><tr><th>#</th><th>Time</th><th>Source</th><th>Process</th><th>Summary</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.seq} data-testid="ev-row" data-seq={r.seq} data-source={r.source} data-received={r.received_at_ms}
                class={route.id === String(r.seq) ? 'selected' : ''} onClick={() => go('events', r.seq, { source: sources, pid, comm, process: processId, q, from, to })}>
                <td class="muted">{r.seq}</td>
                <td class="mono">{clock(r.timestamp)}</td>
                <td><span class={`badge source-${r.source}`}>{r.source}</span></td>
                <td class="nowrap">{r.comm} <span class="muted">{r.pid}</span></td>
                <td class="summary">{r.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p class="muted">No events{filtered ? ' match these filters' : ' yet'}.</p>}
        {next !== null && <div class="pager"><button onClick={more} data-testid="ev-more">Older events</button></div>}
      </div>
      {route.id && <Detail seq={route.id} startNs={startNs} />}
    </div>
  );
}
