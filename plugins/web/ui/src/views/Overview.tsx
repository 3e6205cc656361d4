import type { Overview as OverviewData, NetworkTotals, ResourceTotals, UnseenTlsWarning } from '../api';
import { bytes, clock, dateTime, duration, num, usd } from '../format';
import { useLiveVersion } from '../live';
import { href } from '../router';
import { useFetch } from '../useFetch';

/** A figure; `title` says on hover what exactly is counted, so that no number has to be guessed at. */
function Card(props: { label: string; value: string; sub?: string; testid: string; tone?: 'bad' | 'ok'; link?: string; title: string }) {
  const body = (
    <>
      <div class="card-label">{props.label}</div>
      <div class="card-value" data-testid={props.testid}>{props.value}</div>
      {props.sub && <div class="card-sub">{props.sub}</div>}
    </>
  );
  return props.link
    ? <a class={`card ${props.tone ?? ''}`} href={props.link} title={props.title} data-testid={`${props.testid}-card`}>{body}</a>
    : <div class={`card ${props.tone ?? ''}`} title={props.title} data-testid={`${props.testid}-card`}>{body}</div>;
}

/** Where a warning's events are: the event log filtered to that process's TLS_UNSEEN events, the first one open. */
function unseenLink(w: UnseenTlsWarning): string {
  if (w.process_id === null) return href('pipeline');
  return href('events', w.first_seq, { source: 'network', process: w.process_id || null, q: 'TLS_UNSEEN' });
}

/**
 * TLS whose plaintext no probe saw: the session's blind spot, one line per process and reason. Nothing at all is
 * rendered when there is none, so the warning never becomes background noise.
 */
function UnseenTls({ warnings }: { warnings: UnseenTlsWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <div class="warning" role="alert" data-testid="tls-unseen">
      <div class="warning-title">⚠ Not everything was seen: the plaintext of these TLS connections was not captured</div>
      <ul class="plain">
        {warnings.map((w) => (
          <li key={`${w.process_id ?? ''}/${w.reason ?? ''}`} data-testid="tls-unseen-line" data-pid={w.pid ?? ''} data-count={w.connections}>
            {w.text} <a href={unseenLink(w)} data-testid="tls-unseen-link">{w.process_id === null ? 'pipeline' : 'events'} →</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Per process (pid, comm, executable), the hosts it talked to: TLS server names, connect() targets, failures. */
function Hosts({ network }: { network: NetworkTotals }) {
  if (network.processes.length === 0) return <p class="muted">No connections seen.</p>;
  return (
    <table class="grid" data-testid="net-hosts">
      <thead><tr><th>Process</th><th>Host</th><th class="n">Connections</th><th class="n">Failed</th><th class="n">TLS</th><th class="n">Unseen</th><th>Details</th></tr></thead>
      <tbody>
        {network.processes.flatMap((p) => p.hosts.map((h, i) => (
          <tr key={`${p.process_id}/${h.host}`} data-testid="net-host-row" data-pid={p.pid} data-host={h.host}>
            {i === 0 && (
              <td rowSpan={p.hosts.length} data-col="process">
                <a href={href('processes', p.process_id || null)}>{p.comm}</a> <span class="muted">{p.pid}</span>
                {p.executable && <div class="mono small muted">{p.executable}</div>}
              </td>
            )}
            <td class="mono" data-col="host">
              <a href={href('events', null, { source: 'network', process: p.process_id || null, q: h.host })}>{h.host}</a>
            </td>
            <td class="n" data-col="connections">{num(h.connections)}</td>
            <td class={`n ${h.failed_connects > 0 ? 'bad' : ''}`} data-col="failed">
              {num(h.failed_connects)}{h.errors.length > 0 && <div class="small">{h.errors.join(', ')}</div>}
              {h.missed_connects > 0 && <div class="small muted" title="connect() to a Unix socket that does not exist: a look-up of a local service (glibc looks for nscd this way), not an error">{num(h.missed_connects)} not there</div>}
            </td>
            <td class="n" data-col="tls">{num(h.tls)}</td>
            <td class={`n ${h.unseen > 0 ? 'bad' : ''}`} data-col="unseen">{num(h.unseen)}</td>
            <td class="small" data-col="details">
              {h.addresses.length > 0 && <div class="mono">at {h.addresses.join(', ')}</div>}
              {h.alpn.length > 0 && <div class="muted">{h.alpn.join(', ')}</div>}
            </td>
          </tr>
        )))}
      </tbody>
    </table>
  );
}

/** Cumulative cost over the session: one point per priced call (its end), as a line. */
function CostChart({ points, startNs, endNs }: { points: [number, number][]; startNs: number | null; endNs: number | null }) {
  if (points.length === 0) return <p class="muted">No priced call.</p>;
  const from = startNs ?? points[0][0];
  const to = Math.max(endNs ?? points[points.length - 1][0], from + 1);
  const top = points[points.length - 1][1] || 1;
  const w = 700;
  const h = 120;
  const xy = [[from, 0] as [number, number], ...points].map(([t, v]) => `${(((t - from) / (to - from)) * w).toFixed(1)},${(h - (v / top) * h).toFixed(1)}`);
  // A step line: the total holds between calls.
  const steps = xy.flatMap((p, i) => (i === 0 ? [p] : [`${p.split(',')[0]},${xy[i - 1].split(',')[1]}`, p]));
  return (
    <svg class="cost-chart" viewBox={`0 0 ${w} ${h + 20}`} preserveAspectRatio="none" data-testid="cost-chart" data-points={points.length}>
      <polyline points={steps.join(' ')} />
      <text x="4" y={h + 16} font-size="11">{clock(from)}</text>
      <text x={w - 4} y={h + 16} font-size="11" text-anchor="end">{clock(to)} · {usd(top)}</text>
    </svg>
  );
}

/** An error row's kind in words (the report says the same). */
function errorKind(kind: string): string {
  switch (kind) {
    case 'llm_call': return 'LLM calls failed';
    case 'mcp_call': return 'MCP calls failed';
    case 'http': return 'HTTP 4xx/5xx';
    case 'process_exit': return 'processes failed';
    case 'file_open': return 'file opens failed';
    default: return kind.replace('_', ' ');
  }
}

/**
 * The peaks of the resource samples (CPU time and RSS of every traced process, sampled while recording): which
 * process used the most memory and the most CPU, and when. Nothing when the session holds no sample.
 */
function ResourceCards({ resources }: { resources: ResourceTotals }) {
  if (resources.samples === 0) return null;
  const rss = resources.peak_rss;
  const cpu = resources.peak_cpu;
  return (
    <>
      <Card label="Peak memory" testid="ov-peak-rss" value={rss ? bytes(rss.value) : '–'}
        sub={rss ? `${rss.comm} (${rss.pid}) at ${clock(rss.at_ns)}` : undefined} link={rss ? href('timeline', null, { process: rss.process_id }) : undefined}
        title={`The largest resident set size (RSS: memory in RAM) one traced process reached, over ${num(resources.samples)} samples of ${num(resources.processes)} processes`} />
      <Card label="Peak CPU" testid="ov-peak-cpu" value={cpu ? `${cpu.value.toFixed(0)} %` : '–'}
        sub={cpu ? `${cpu.comm} (${cpu.pid}) at ${clock(cpu.at_ns)}` : undefined} link={cpu ? href('timeline', null, { process: cpu.process_id }) : undefined}
        title="The highest CPU use of one traced process between two samples (user and system time over wall time; 100 % is one core busy, more is several)" />
    </>
  );
}

export function Overview() {
  const version = useLiveVersion(500);
  const { data, error } = useFetch<OverviewData>('/api/overview', {}, [version]);
  if (error && !data) return <p class="error">Could not load the overview: {error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  const o = data;
  const errors = o.errors.reduce((n, e) => n + e.count, 0);
  return (
    <div class="overview" data-testid="overview">
      {o.drops.incomplete_text && <div class="warning" data-testid="incomplete-session"><div class="warning-title">Incomplete session</div>{o.drops.incomplete_text}</div>}
      <UnseenTls warnings={o.network.warnings} />
      <div class="cards">
        <Card label="Duration" testid="ov-duration" value={duration(o.duration_ms)} sub={o.start_ns ? `from ${dateTime(o.start_ns)}` : 'no events yet'}
          title="From the first event of the session to the last one" />
        <Card label="LLM calls" testid="ov-llm-calls" value={num(o.llm.calls)} sub={`${num(o.llm.errors)} failed`} link={href('llm')}
          title="Calls to a model API seen in the decrypted traffic; failed: an error body, an in-stream error, or an HTTP status of 400 or more" />
        <Card label="Tokens in" testid="ov-tokens-in" value={num(o.llm.input_tokens)} sub={`${num(o.llm.cache_read_tokens)} from cache`}
          title="Input tokens the providers reported over every call, cached tokens included" />
        <Card label="Tokens out" testid="ov-tokens-out" value={num(o.llm.output_tokens)} sub={`${num(o.llm.reasoning_tokens)} reasoning`}
          title="Output tokens the providers reported over every call, reasoning tokens included" />
        <Card label="Cost" testid="ov-cost" value={usd(o.llm.cost_usd, 0, o.llm.calls) || '–'} link={href('trace')}
          sub={o.llm.unpriced_calls > 0 ? `${num(o.llm.unpriced_calls)} calls unpriced` : o.llm.price_table ? `prices of ${o.llm.price_table}` : 'no cost stage'}
          title="USD of the priced calls, from the cost stage's dated price table (docs/ANALYZERS.md, cost). A call of a model without a price is unpriced, never counted as free" />
        <Card label="Processes" testid="ov-processes" value={num(o.processes.count)} sub={`${num(o.processes.failed)} failed, ${num(o.processes.running)} running`} link={href('processes')}
          title="Processes seen (a pid reused after an exit counts again); failed: exited with a non-zero status or killed by a signal" />
        <Card label="Files" testid="ov-files" value={num(o.files.paths)}
          sub={`${num(o.files.written)} written, ${num(o.files.failed)} failed${o.files.missed > 0 ? `, ${num(o.files.missed)} ${o.files.missed === 1 ? 'look-up' : 'look-ups'} found nothing` : ''}`}
          title={'Different paths opened. Written: opened for writing, creating, truncating or appending. Failed: opens refused (EACCES, EPERM…) '
            + 'and failed writes or creates, counted as errors. Look-ups found nothing: opens for reading that met ENOENT or ENOTDIR, '
            + 'how programs look for files that may not exist (Python\'s pyvenv.cfg, locale files); not errors'} />
        <Card label="Hosts" testid="ov-hosts" value={num(o.network.hosts)} link={href('events', null, { source: 'network' })}
          tone={o.network.unseen > 0 ? 'bad' : undefined}
          sub={`${num(o.network.connections)} connections${o.network.failed_connects > 0 ? `, ${num(o.network.failed_connects)} failed` : ''}${o.network.missed_connects > 0 ? `, ${num(o.network.missed_connects)} local sockets not there` : ''}${o.network.unseen > 0 ? `, ${num(o.network.unseen)} TLS unseen` : ''}`}
          title={'Hosts the traced processes connected to (by TLS server name, else address). Failed: connect() returned an error. '
            + 'Local sockets not there: connect() to a Unix socket that does not exist (ENOENT), a look-up of a local service such as nscd, not an error. '
            + 'TLS unseen: TLS whose plaintext no probe saw'} />
        <Card label="Errors" testid="ov-errors" value={num(errors)} tone={errors > 0 ? 'bad' : 'ok'}
          sub={errors === 0 ? 'none' : o.errors.map((e) => `${num(e.count)} ${errorKind(e.kind)}`).join(', ')}
          title={'Counted as errors: LLM calls that failed, other HTTP exchanges answered 4xx or 5xx, processes that exited non-zero or on a signal, '
            + 'file opens refused (EACCES, EPERM…) and failed writes or creates. Not errors: look-ups of files that were not there'
            + (o.files.missed > 0 ? ` (${num(o.files.missed)} in this session, under Files)` : '')} />
        <Card label="Lost or dropped" testid="ov-drops" value={num(o.drops.total)} tone={o.drops.total > 0 || o.drops.incomplete ? 'bad' : 'ok'} link={href('pipeline')}
          sub={o.drops.incomplete ? 'session incomplete: more missing' : o.drops.total === 0 ? 'nothing lost' : `${o.drops.items.length} counters`}
          title="Events lost by the kernel rings, dropped by a stage's queue or a failing sink, or not kept in memory by this view: every counter, on the Pipeline page" />
        <Card label="Events" testid="ov-events" value={num(o.events)} link={href('events')}
          title="Every event the session holds, of every source (TLS, processes, files, network, HTTP, LLM, resource samples)" />
        <ResourceCards resources={o.resources} />
      </div>

      <section>
        <h2>Tokens per model</h2>
        {o.llm.models.length === 0 ? <p class="muted">No LLM calls yet.</p> : (
          <table class="grid" data-testid="models">
            <thead><tr><th>Model</th><th>Provider</th><th class="n">Calls</th><th class="n">Errors</th><th class="n">Tokens in</th><th class="n">Tokens out</th><th class="n">Cache read</th><th class="n">Avg time</th><th class="n">Avg TTFT</th><th class="n">Cost</th></tr></thead>
            <tbody>
              {o.llm.models.map((m) => (
                <tr key={m.model} data-testid="model-row" data-model={m.model}>
                  <td><a href={href('llm', null, { model: m.model })}>{m.model}</a></td>
                  <td>{m.provider ?? ''}</td>
                  <td class="n" data-col="calls">{num(m.calls)}</td>
                  <td class="n">{num(m.errors)}</td>
                  <td class="n" data-col="in">{num(m.input_tokens)}</td>
                  <td class="n" data-col="out">{num(m.output_tokens)}</td>
                  <td class="n">{num(m.cache_read_tokens)}</td>
                  <td class="n">{duration(m.avg_duration_ms)}</td>
                  <td class="n">{duration(m.avg_ttft_ms)}</td>
                  <td class="n" data-col="cost">{usd(m.cost_usd, m.unpriced_calls, m.calls)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <div class="two">
        <section>
          <h2>Cost per run</h2>
          {o.runs.length === 0 ? <p class="muted">No runs: the trace stage writes each agent run when it ends.</p> : (
            <table class="grid" data-testid="runs">
              <thead><tr><th>Run</th><th class="n">Duration</th><th class="n">Calls</th><th class="n">Tokens in → out</th><th class="n">Cost</th></tr></thead>
              <tbody>{o.runs.map((r) => (
                <tr key={r.span_id} data-testid="run-row">
                  <td><a href={href('trace')}>{r.name}</a> <span class="muted small">{r.pid ?? ''}</span>{r.command_line && <div class="mono small muted">{r.command_line}</div>}</td>
                  <td class="n">{duration((r.end_ns - r.start_ns) / 1e6)}</td>
                  <td class="n">{num(r.calls)}</td>
                  <td class="n">{num(r.input_tokens)} → {num(r.output_tokens)}</td>
                  <td class="n" data-col="cost">{usd(r.cost_usd, r.unpriced_calls, r.calls)}</td>
                </tr>
              ))}</tbody>
            </table>
          )}
        </section>
        <section>
          <h2>Cost over time</h2>
          <CostChart points={o.llm.cost_over_time} startNs={o.start_ns} endNs={o.end_ns} />
        </section>
      </div>

      {o.containers.length > 0 && (
        <section>
          <h2>Containers</h2>
          <table class="grid" data-testid="containers">
            <thead><tr><th>Container</th><th>Runtime</th><th>Pod</th><th class="n">Processes</th><th class="n">LLM calls</th><th>First command</th></tr></thead>
            <tbody>{o.containers.map((c) => (
              <tr key={c.id} data-testid="container-row">
                <td class="mono" title={c.id}>{c.id.slice(0, 12)}</td>
                <td>{c.runtime ?? '–'}</td>
                <td class="mono small">{c.pod_uid ?? '–'}</td>
                <td class="n"><a href={href('processes', c.first_process_id)}>{num(c.processes)}</a></td>
                <td class="n">{num(c.llm_calls)}</td>
                <td class="mono small">{c.first_command}</td>
              </tr>
            ))}</tbody>
          </table>
        </section>
      )}

      <div class="two">
        <section>
          <h2>Errors</h2>
          {o.errors.length === 0 ? <p class="muted">None.</p> : (
            <ul class="plain" data-testid="error-list">
              {o.errors.map((e) => (
                <li key={e.kind}><b>{num(e.count)}</b> {errorKind(e.kind)}{e.examples.length > 0 && <div class="muted small">{e.examples.join(' · ')}</div>}</li>
              ))}
            </ul>
          )}
        </section>
        <section>
          <h2>Lost or dropped events</h2>
          {o.drops.items.length === 0
            ? <p class="muted">{o.drops.incomplete ? 'No loss was counted before the recording stopped; more is missing (see the warning above).' : `None: every event reached this view${o.drops.from_recording ? ' and was recorded' : ''}.`}</p> : (
            <table class="grid" data-testid="drops">
              <thead><tr><th>Where</th><th>Counter</th><th class="n">Count</th></tr></thead>
              <tbody>{o.drops.items.map((d) => <tr key={d.stage + d.counter}><td>{d.stage} <span class="muted small">{d.kind}</span></td><td>{d.counter}</td><td class="n">{num(d.count)}</td></tr>)}</tbody>
            </table>
          )}
        </section>
      </div>

      <section>
        <h2>Hosts per process</h2>
        <Hosts network={o.network} />
      </section>

      <section>
        <h2>Files written</h2>
        {o.files_written.length === 0 ? <p class="muted">None.</p> : (
          <table class="grid" data-testid="files-written">
            <thead><tr><th>Path</th><th class="n">Writes</th><th>By</th></tr></thead>
            <tbody>{o.files_written.map((f) => <tr key={f.path}><td class="mono">{f.path}</td><td class="n">{num(f.writes)}</td><td>{f.by.join(', ')}</td></tr>)}</tbody>
          </table>
        )}
      </section>
    </div>
  );
}
