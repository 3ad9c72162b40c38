import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAssets, DEFAULT_CONSOLE_DIR } from '../../src/http/console-assets.js';
import { ensureConsoleBuilt } from '../../scripts/console/build.js';

/** The console's files as the service serves them: types, caching, security headers; no inline script. */
describe('operator console assets', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    await ensureConsoleBuilt({ quiet: true });
    const statics = consoleAssets(DEFAULT_CONSOLE_DIR);
    expect(statics.built).toBe(true);
    server = createServer((req, res) => {
      if (!statics(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('serves the page with a CSP of self only, no inline script or style, and revalidation', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe|https?:|\*/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
    expect(html).not.toMatch(/https?:\/\//);
    // Revalidation with the ETag.
    const again = await fetch(`${base}/`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('caches hashed assets for a year with their content type, and names no other host in them', async () => {
    const html = await (await fetch(`${base}/`)).text();
    const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    expect(files.some((f) => f.endsWith('.css'))).toBe(true);
    for (const file of files) {
      const res = await fetch(`${base}${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(file.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-security-policy')).toContain("'self'");
      const text = await res.text();
      // Any URL in the bundle could be a request to another host (a CDN, fonts, telemetry); XML
      // namespace names (Preact's SVG and XHTML namespaces) are identifiers, never fetched.
      const urls = (text.match(/["'`(]https?:\/\/[a-z0-9.-]+/gi) ?? []).filter((u) => !/\/\/www\.w3\.org$/.test(u));
      expect(urls).toEqual([]);
    }
    expect((await fetch(`${base}/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');
  });

  it('answers only its own files: other paths are left to the service (404 here), dot files and traversal too', async () => {
    for (const path of ['/nope.js', '/.build-stamp', '/%2e%2e/package.json', '/assets/%2e%2e/%2e%2e/package.json', '/graphql']) {
      const res = await fetch(`${base}${path}`);
      expect([404], path).toContain(res.status);
    }
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/`, { method: 'HEAD' })).status).toBe(200);
  });

  it('says how to build the console when there is no build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-console-empty-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'assets', 'x.js'), '');
    const statics = consoleAssets(dir);
    const s = createServer((req, res) => void (statics(req, res) || res.writeHead(404).end()));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:console');
    await new Promise<void>((r) => s.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });
});
