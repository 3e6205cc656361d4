import type { Overview as OverviewData } from '../api';
import { dateTime, duration, num } from '../format';
import { useLiveVersion } from '../live';
import { href } from '../router';
import { useFetch } from '../useFetch';

function Card(props: { label: string; value: string; sub?: string; testid: string; tone?: 'bad' | 'ok'; link?: string }) {
  const body = (
    <>
      <div class="card-label">{props.label}</div>
      <div class="card-value" data-testid={props.testid}>{props.value}</div>
      {props.sub && <div class="card-sub">{props.sub}</div>}
    </>
  );
  return props.link ? <a class={`card ${props.tone ?? ''}`} href={props.link}>{body}</a> : <div class={`card ${props.tone ?? ''}`}>{body}</div>;
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
      <div class="cards">
        <Card label="Duration" testid="ov-duration" value={duration(o.duration_ms)} sub={o.start_ns ? `from ${dateTime(o.start_ns)}` : 'no events yet'} />
        <Card label="LLM calls" testid="ov-llm-calls" value={num(o.llm.calls)} sub={`${num(o.llm.errors)} failed`} link={href('llm')} />
        <Card label="Tokens in" testid="ov-tokens-in" value={num(o.llm.input_tokens)} sub={`${num(o.llm.cache_read_tokens)} from cache`} />
        <Card label="Tokens out" testid="ov-tokens-out" value={num(o.llm.output_tokens)} sub={`${num(o.llm.reasoning_tokens)} reasoning`} />
        <Card label="Processes" testid="ov-processes" value={num(o.processes.count)} sub={`${num(o.processes.failed)} failed, ${num(o.processes.running)} running`} link={href('processes')} />
        <Card label="Files" testid="ov-files" value={num(o.files.paths)} sub={`${num(o.files.written)} written, ${num(o.files.failed)} failed opens`} />
        <Card label="Errors" testid="ov-errors" value={num(errors)} tone={errors > 0 ? 'bad' : 'ok'} />
        <Card label="Lost or dropped" testid="ov-drops" value={num(o.drops.total)} tone={o.drops.total > 0 ? 'bad' : 'ok'} link={href('pipeline')}
          sub={o.drops.total === 0 ? 'nothing lost' : `${o.drops.items.length} counters`} />
        <Card label="Events" testid="ov-events" value={num(o.events)} link={href('events')} />
      </div>

      <section>
        <h2>Tokens per model</h2>
        {o.llm.models.length === 0 ? <p class="muted">No LLM calls yet.</p> : (
          <table class="grid" data-testid="models">
            <thead><tr><th>Model</th><th>Provider</th><th class="n">Calls</th><th class="n">Errors</th><th class="n">Tokens in</th><th class="n">Tokens out</th><th class="n">Cache read</th><th class="n">Avg time</th><th class="n">Avg TTFT</th></tr></thead>
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
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <div class="two">
        <section>
          <h2>Errors</h2>
          {o.errors.length === 0 ? <p class="muted">None.</p> : (
            <ul class="plain" data-testid="error-list">
              {o.errors.map((e) => (
                <li key={e.kind}><b>{num(e.count)}</b> {e.kind.replace('_', ' ')}{e.examples.length > 0 && <div class="muted small">{e.examples.join(' · ')}</div>}</li>
              ))}
            </ul>
          )}
        </section>
        <section>
          <h2>Lost or dropped events</h2>
          {o.drops.items.length === 0 ? <p class="muted">None: every event reached this view{o.drops.from_recording ? ' and was recorded' : ''}.</p> : (
            <table class="grid" data-testid="drops">
              <thead><tr><th>Where</th><th>Counter</th><th class="n">Count</th></tr></thead>
              <tbody>{o.drops.items.map((d) => <tr key={d.stage + d.counter}><td>{d.stage} <span class="muted small">{d.kind}</span></td><td>{d.counter}</td><td class="n">{num(d.count)}</td></tr>)}</tbody>
            </table>
          )}
        </section>
      </div>

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
