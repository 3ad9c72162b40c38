import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenBucketRateLimiter } from '../../src/graphql/rate-limit.js';
import { ML_API_TOKENS, startGraphqlServer, TOKENS, type RunningServer } from './support/http.js';
import { TestConnector } from './support/test-connector.js';

let connector: TestConnector;
let server: RunningServer;

beforeAll(async () => {
  connector = new TestConnector();
  server = await startGraphqlServer({ api: connector, tokens: ML_API_TOKENS, sandbox: false, rateLimitPerMinute: 3 });
});
afterAll(async () => {
  await server?.close();
  connector?.close();
});

describe('GraphQL rate limit per token (ML_GRAPHQL_RATE_LIMIT)', () => {
  it('answers 429 with Retry-After to one token past its limit while another token still works', async () => {
    const q = '{ me { name role } }';
    for (let i = 0; i < 3; i++) {
      const ok = await server.gql(q, undefined, TOKENS.viewer);
      expect(ok.status, `request ${i + 1}`).toBe(200);
      expect(ok.body.data).toEqual({ me: { name: 'vera', role: 'viewer' } });
    }
    const refused = await server.gql(q, undefined, TOKENS.viewer);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(refused.body.errors?.[0]?.message).toContain('3 per minute');
    // 3 per minute: one request comes back every 20 s.
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(19);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(20);
    // The token itself never appears in the refusal.
    expect(refused.text).not.toContain(TOKENS.viewer);
    // Another token has its own bucket.
    const other = await server.gql(q, undefined, TOKENS.operator);
    expect(other.status).toBe(200);
    expect(other.body.data).toEqual({ me: { name: 'otto', role: 'operator' } });
    // A request without a valid token is refused as before (401), not counted against anybody.
    expect((await server.gql(q, undefined, 'wrong-token-0123456789abcdef')).status).toBe(401);
  });

  it('refills at the configured rate', () => {
    let now = 0;
    const limiter = new TokenBucketRateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toMatchObject({ allowed: false, retryAfterS: 1 });
    now += 1_000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(new TokenBucketRateLimiter(0).take('a').allowed).toBe(true);
  });
});
