import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The operator console's built assets (`npm run build:console`, run by `npm start` when the sources
 * changed), served by the service itself: no CDN, nothing fetched from elsewhere. Every file is read
 * once at start into memory (the bundle is small) and answered with its content type, an ETag and
 * the security headers; file names with a content hash (`/assets/*`) are cached for a year.
 */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/console', import.meta.url));

/** Only 'self': no inline script or style, no other host, no framing. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  immutable: boolean;
}

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.name.startsWith('.')) return [];
    return d.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * A handler for `/`, `/index.html` and the built files; it answers false for any other path (the
 * HTTP server then says 404). Without a build, `/` explains how to make one.
 */
export function consoleAssets(dir = DEFAULT_CONSOLE_DIR): StaticHandler & { built: boolean } {
  const assets = new Map<string, Asset>();
  if (existsSync(join(dir, 'index.html')) && statSync(dir).isDirectory()) {
    for (const file of filesUnder(dir)) {
      const path = `/${relative(dir, file).split(sep).join('/')}`;
      const ext = path.slice(path.lastIndexOf('.'));
      const body = readFileSync(file);
      assets.set(path, {
        body,
        type: TYPES[ext] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        immutable: path.startsWith('/assets/'),
      });
    }
  }
  const built = assets.has('/index.html');

  const handler = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0]!;
    const key = path === '/' ? '/index.html' : path;
    const asset = assets.get(key);
    if (!asset && !(path === '/' && !built)) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(`${method} is not supported here: the console is read with GET\n`);
      return true;
    }
    if (!asset) {
      const text = 'The operator console is not built. Run `npm run build:console` (npm start does it by itself), then reload.\n';
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS });
      res.end(text);
      return true;
    }
    const headers: Record<string, string> = {
      'content-type': asset.type,
      etag: asset.etag,
      // Hashed names never change content; the page itself is revalidated on every load.
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'content-length': String(asset.body.length) });
    res.end(method === 'HEAD' ? undefined : asset.body);
    return true;
  };
  return Object.assign(handler, { built });
}
