import { useEffect, useState } from 'preact/hooks';
import { get } from './api';

export interface Fetched<T> { data: T | null; error: string | null; loading: boolean }

/** Fetches path+query whenever a dependency changes; keeps showing the last data while the next loads. */
export function useFetch<T>(path: string | null, query: Record<string, string | number | null | undefined>, deps: unknown[]): Fetched<T> {
  const [state, setState] = useState<Fetched<T>>({ data: null, error: null, loading: path !== null });
  useEffect(() => {
    if (path === null) return undefined;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    get<T>(path, query, controller.signal)
      .then((data) => setState({ data, error: null, loading: false }))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ ...s, error: String(e instanceof Error ? e.message : e), loading: false }));
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, ...deps]);
  return state;
}
