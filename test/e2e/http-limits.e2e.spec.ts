import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2e, TOKENS, type E2e } from './harness.js';

/** The service's own HTTP server, configured by environment: the limits reach the running server. */
let e2e: E2e;
beforeAll(async () => {
  e2e = await startE2e({ auth: true, env: { ML_GRAPHQL_RATE_LIMIT: '2', ML_HTTP_HEADERS_TIMEOUT_MS: '300', ML_HTTP_REQUEST_TIMEOUT_MS: '600' } });
});
afterAll(async () => e2e?.close());

describe('the running service applies ML_GRAPHQL_RATE_LIMIT and ML_HTTP_*_TIMEOUT_MS', () => {
  it('rate-limits GraphQL per token', async () => {
    expect((await e2e.graphql('{ me { name } }', undefined, TOKENS.viewer)).status).toBe(200);
    expect((await e2e.graphql('{ me { name } }', undefined, TOKENS.viewer)).status).toBe(200);
    const refused = await e2e.graphql('{ me { name } }', undefined, TOKENS.viewer);
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await e2e.graphql('{ me { name } }', undefined, TOKENS.admin)).status).toBe(200);
  });

  it('cuts off a webhook upload that stalls after its headers', async () => {
    const port = Number(new URL(e2e.running.url).port);
    const started = performance.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('POST /webhooks/concur HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"id":"slow",'),
      );
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(text));
      setTimeout(() => (socket.destroy(), reject(new Error('still open after 5 s'))), 5_000).unref();
    });
    const ms = performance.now() - started;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(2_000);
    process.stdout.write(`service: stalled webhook body cut off after ${Math.round(ms)} ms (ML_HTTP_REQUEST_TIMEOUT_MS=600)\n`);
  });
});
