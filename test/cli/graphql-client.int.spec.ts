import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { GraphqlClient } from '../../src/cli/graphql-client.js';

describe('CLI GraphQL client', () => {
  it('waits out a 429 (Retry-After) from the service rate limit and then gets its answer', async () => {
    const seen: number[] = [];
    const server = createServer((req, res) => {
      req.resume();
      seen.push(performance.now());
      if (seen.length === 1) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ errors: [{ message: 'Too many requests', extensions: { code: 'RATE_LIMITED' } }] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { me: { name: 'ada' } } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = new GraphqlClient({ graphqlUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, token: null });
      expect(await client.request('{ me { name } }')).toEqual({ me: { name: 'ada' } });
      expect(seen).toHaveLength(2);
      expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(950);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
