// Hash routing (#/llm/3): the server has one page, so any view can be bookmarked without server routes.
import { useEffect, useState } from 'preact/hooks';

export interface Route { view: string; id: string | null; params: URLSearchParams }

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path, query = ''] = text.split('?', 2);
  const [view = 'overview', id = null] = path.split('/').filter(Boolean);
  return { view: view || 'overview', id, params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(view: string, id?: string | number | null, params?: Record<string, string | number | null | undefined>): string {
  let text = `#/${view}${id !== undefined && id !== null ? `/${id}` : ''}`;
  if (params) {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') search.set(k, String(v));
    const s = search.toString();
    if (s) text += `?${s}`;
  }
  return text;
}

export function go(view: string, id?: string | number | null, params?: Record<string, string | number | null | undefined>): void {
  location.hash = href(view, id, params);
}
