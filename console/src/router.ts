import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/documents?status=REJECTED`, `#/documents/<id>`): the service serves one page at `/`,
 * back and forward work, and a filter can be bookmarked. Tokens never go into the hash.
 */
export interface Route {
  /** Path segments after `#/`, decoded. */
  path: string[];
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = text.split('?', 2);
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
  return { path: segments.length ? segments : ['overview'], params: new URLSearchParams(query) };
}

export function href(path: string[], params?: Record<string, string | string[] | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === null || v === undefined || v === '') continue;
    for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
  }
  const query = q.toString();
  return `#/${path.map(encodeURIComponent).join('/')}${query ? `?${query}` : ''}`;
}

export function navigate(to: string): void {
  if (location.hash !== to) location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = (): void => {
      // The next page marks itself ready when its data is there (components.tsx useReady).
      delete document.body.dataset['ready'];
      setRoute(parseHash(location.hash));
    };
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
