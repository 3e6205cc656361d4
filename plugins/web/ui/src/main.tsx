import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SessionInfo } from './api';
import { dateTime, duration, num } from './format';
import { live, useLiveState, useLiveSummary, useLiveVersion } from './live';
import { href, useRoute } from './router';
import { useFetch } from './useFetch';
import { EventLog } from './views/EventLog';
import { LlmCalls } from './views/LlmCalls';
import { McpCalls } from './views/McpCalls';
import { Overview } from './views/Overview';
import { Pipeline } from './views/Pipeline';
import { ProcessTree } from './views/ProcessTree';
import { Timeline } from './views/Timeline';
import { Trace } from './views/Trace';
import './styles.css';

const VIEWS: [string, string][] = [
  ['overview', 'Overview'],
  ['llm', 'LLM calls'],
  ['mcp', 'MCP'],
  ['trace', 'Trace'],
  ['processes', 'Process tree'],
  ['timeline', 'Timeline'],
  ['events', 'Event log'],
  ['pipeline', 'Pipeline'],
];

/** "● live" while events keep arriving, "connected" when quiet, "offline" when the server is gone. */
function LiveBadge() {
  const state = useLiveState();
  const summary = useLiveSummary();
  const [, tick] = useState(0);
  useEffect(() => {
    const t = window.setInterval(() => tick((n) => n + 1), 1000);
    return () => window.clearInterval(t);
  }, []);
  const receiving = live.lastEventAt > 0 && Date.now() - live.lastEventAt < 5000;
  const text = state === 'closed' ? 'offline' : state === 'connecting' ? 'reconnecting…' : receiving ? 'live' : 'connected';
  return (
    <span class={`live ${state === 'live' ? (receiving ? 'on' : 'idle') : 'off'}`} data-testid="live-badge" data-state={state}>
      ● {text}{summary ? <span class="muted"> · {num(summary.events)} events</span> : null}
    </span>
  );
}

/** Under --no-auth, a line above every view: anyone on this machine can read what it shows. */
function OpenAccessWarning() {
  const access = useFetch<{ auth: boolean }>('/api/access', {}, []).data;
  if (access?.auth !== false) return null;
  return (
    <div class="warning" data-testid="no-auth-warning">
      No access control (--no-auth): every user of this machine can read this session.
    </div>
  );
}

function App() {
  const route = useRoute();
  const version = useLiveVersion(1000);
  const info = useFetch<SessionInfo>('/api/session', {}, [version]).data;
  useEffect(() => live.start(), []);
  const view = VIEWS.some(([v]) => v === route.view) ? route.view : 'overview';
  useEffect(() => {
    document.title = `AgentSight · ${VIEWS.find(([v]) => v === view)?.[1] ?? ''}`;
  }, [view]);
  return (
    <>
      <header>
        <a class="brand" href={href('overview')}>AgentSight</a>
        <span class="session" data-testid="session-span">
          {info?.start_ns ? `${dateTime(info.start_ns)} · ${duration(info.duration_ms)}` : 'waiting for events…'}
        </span>
        <LiveBadge />
      </header>
      <nav>
        {VIEWS.map(([v, label]) => <a key={v} href={href(v)} class={v === view ? 'active' : ''} data-testid={`nav-${v}`}>{label}</a>)}
      </nav>
      <main data-view={view}>
        <OpenAccessWarning />
        {view === 'overview' && <Overview />}
        {view === 'llm' && <LlmCalls route={route} />}
        {view === 'mcp' && <McpCalls route={route} />}
        {view === 'trace' && <Trace route={route} />}
        {view === 'processes' && <ProcessTree route={route} />}
        {view === 'timeline' && <Timeline route={route} />}
        {view === 'events' && <EventLog route={route} />}
        {view === 'pipeline' && <Pipeline />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
