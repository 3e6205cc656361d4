import type { PipelineView, SourceRow, StageRow } from '../api';
import { duration, num } from '../format';
import { useLiveVersion } from '../live';
import { useFetch } from '../useFetch';

function Counters({ counters }: { counters: Record<string, number> }) {
  const entries = Object.entries(counters);
  if (entries.length === 0) return <span class="muted">–</span>;
  return <span class="counters">{entries.map(([k, v]) => <span key={k} class={`chip ${v > 0 && /drop|lost|loss|evict|trunc|bad|fail|error|refus|skip|overflow|full|miss|reject/i.test(k) ? 'bad' : ''}`}>{k}={num(v)}</span>)}</span>;
}

function Stages({ stages, testid }: { stages: StageRow[]; testid: string }) {
  return (
    <table class="grid" data-testid={testid}>
      <thead><tr><th>#</th><th>Stage</th><th>Plugin</th><th>Kind</th><th>State</th><th class="n">In</th><th class="n">Out</th><th class="n">Dropped</th><th class="n">Failed</th><th class="n">Restarts</th><th class="n">Queue now/max/cap</th><th>Policy</th><th class="n">Busy</th><th>Counters</th></tr></thead>
      <tbody>
        {stages.map((s) => (
          <tr key={s.id} data-testid="stage-row" data-id={s.id} data-state={s.state} class={s.state === 'disabled' ? 'dim' : ''}>
            <td>{s.position}</td><td>{s.id}</td><td>{s.plugin}</td><td>{s.kind}</td>
            <td><span class={`badge ${s.state === 'running' ? 'ok' : s.state}`}>{s.state}</span></td>
            <td class="n" data-col="in">{s.state === 'disabled' ? '–' : num(s.in)}</td>
            <td class="n" data-col="out">{s.state === 'disabled' ? '–' : num(s.out)}</td>
            <td class={`n ${s.dropped > 0 ? 'bad' : ''}`} data-col="dropped">{s.state === 'disabled' ? '–' : num(s.dropped)}</td>
            <td class={`n ${s.failed > 0 ? 'bad' : ''}`}>{s.state === 'disabled' ? '–' : num(s.failed)}</td>
            <td class="n">{s.state === 'disabled' ? '–' : num(s.restarts)}</td>
            <td class="n">{s.state === 'disabled' ? '–' : `${s.queue_depth}/${s.queue_high_water}/${s.queue_capacity}`}</td>
            <td>{s.state === 'disabled' ? '' : s.backpressure}</td>
            <td class="n">{s.state === 'disabled' ? '' : duration(s.time_spent_ms)}</td>
            <td><Counters counters={s.counters} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Sources({ sources, testid }: { sources: SourceRow[]; testid: string }) {
  return (
    <table class="grid" data-testid={testid}>
      <thead><tr><th>Source</th><th class="n">Produced</th><th>Counters</th></tr></thead>
      <tbody>{sources.map((s) => <tr key={s.name} data-testid="source-row" data-name={s.name}><td>{s.name}</td><td class="n">{num(s.produced)}</td><td><Counters counters={s.counters} /></td></tr>)}</tbody>
    </table>
  );
}

export function Pipeline() {
  const version = useLiveVersion(1000);
  const { data, error } = useFetch<PipelineView>('/api/pipeline', {}, [version]);
  if (error && !data) return <p class="error">Could not load the pipeline: {error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  return (
    <div>
      <section>
        <h2>This pipeline</h2>
        <p class="muted small">Every stage of the manifest in order, enabled or not, with its counters{data.taken_at ? `, as of ${new Date(data.taken_at).toLocaleTimeString()}` : ''}.</p>
        <Sources sources={data.sources} testid="sources" />
        <Stages stages={data.stages} testid="stages" />
      </section>
      {data.recorded && (
        <section>
          <h2>When the session was recorded</h2>
          <p class="muted small">The stored session's own pipeline{data.recorded.meta.command_line ? <> (<span class="mono">agentsight {data.recorded.meta.command_line}</span>)</> : ''}.</p>
          <Sources sources={data.recorded.sources} testid="recorded-sources" />
          <Stages stages={data.recorded.stages} testid="recorded-stages" />
        </section>
      )}
    </div>
  );
}
