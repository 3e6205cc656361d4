// Live updates: one EventSource on /api/live for the whole page. The server pushes a `summary` whenever the
// session changed and the new events' rows (`events`); views subscribe to either.
import { useEffect, useState } from 'preact/hooks';
import type { EventRow, LiveSummary } from './api';

export type LiveState = 'connecting' | 'live' | 'closed';

type Listener<T> = (value: T) => void;

class LiveFeed {
  summary: LiveSummary | null = null;
  state: LiveState = 'connecting';
  /** When the last new event arrived (browser clock), for the "live" badge. */
  lastEventAt = 0;
  private source: EventSource | null = null;
  private readonly summaryListeners = new Set<Listener<LiveSummary>>();
  private readonly eventListeners = new Set<Listener<EventRow[]>>();
  private readonly stateListeners = new Set<Listener<LiveState>>();

  start(): void {
    if (this.source) return;
    const source = new EventSource('/api/live');
    this.source = source;
    source.addEventListener('open', () => this.setState('live'));
    source.addEventListener('error', () => this.setState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting'));
    source.addEventListener('summary', (e) => {
      const summary = JSON.parse((e as MessageEvent<string>).data) as LiveSummary;
      this.summary = summary;
      this.summaryListeners.forEach((l) => l(summary));
    });
    source.addEventListener('events', (e) => {
      const { rows } = JSON.parse((e as MessageEvent<string>).data) as { rows: EventRow[]; skipped: number };
      this.lastEventAt = Date.now();
      this.eventListeners.forEach((l) => l(rows));
    });
  }

  private setState(state: LiveState): void {
    this.state = state;
    this.stateListeners.forEach((l) => l(state));
  }

  onSummary(listener: Listener<LiveSummary>): () => void {
    this.summaryListeners.add(listener);
    return () => this.summaryListeners.delete(listener);
  }

  onEvents(listener: Listener<EventRow[]>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onState(listener: Listener<LiveState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
}

export const live = new LiveFeed();

/** The latest live summary; re-renders on each. */
export function useLiveSummary(): LiveSummary | null {
  const [summary, setSummary] = useState(live.summary);
  useEffect(() => live.onSummary(setSummary), []);
  return summary;
}

export function useLiveState(): LiveState {
  const [state, setState] = useState(live.state);
  useEffect(() => live.onState(setState), []);
  return state;
}

/**
 * A number that changes when the session did, at most every `ms` milliseconds: views put it in their effects'
 * dependencies to refetch while a session runs, without refetching on every event.
 */
export function useLiveVersion(ms = 700): number {
  const [version, setVersion] = useState(live.summary?.last_seq ?? 0);
  useEffect(() => {
    let timer: number | undefined;
    let pending: number | null = null;
    let last = 0;
    const flush = () => {
      timer = undefined;
      if (pending !== null) {
        last = Date.now();
        setVersion(pending);
        pending = null;
      }
    };
    const off = live.onSummary((s) => {
      pending = s.last_seq * 1_000_000 + s.drops;
      if (timer === undefined) {
        timer = window.setTimeout(flush, Math.max(0, ms - (Date.now() - last)));
      }
    });
    return () => {
      off();
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [ms]);
  return version;
}
