import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurTokenManager } from '../../src/adapters/concur/oauth/token-manager.js';
import type { CredentialStore, StoredConcurCredentials } from '../../src/adapters/concur/secrets.js';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.js';
import { IntacctGatewayClient } from '../../src/adapters/intacct/gateway-client.js';
import { HealthMonitor } from '../../src/application/health-monitor.js';
import { startHttpServer } from '../../src/http/http-server.js';
import { createLogger } from '../../src/observability/logger.js';
import { connectorReadiness } from '../../src/app/readiness.js';
import type { ProjectionRunner } from '../../src/projections/runner.js';

/**
 * /readyz answers within 1 s whatever the remote systems do, from background checks with their age;
 * a Concur whose token endpoint is down (nothing listening) or hangs (accepts, never answers) is not
 * ready. Real sockets on 127.0.0.1, the real token manager and Intacct gateway client.
 */
let deadPort: number;
let hang: NetServer;
let hangPort: number;
const held: Socket[] = [];

beforeAll(async () => {
  // A port where nothing listens: bound once, then released.
  const probe = createNetServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  // Accepts connections and never answers.
  hang = createNetServer((socket) => {
    held.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  hangPort = (hang.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => hang.close(r));
});

class MemoryCredentials implements CredentialStore {
  value: StoredConcurCredentials | null = null;
  async load() {
    return this.value;
  }
  async save(c: StoredConcurCredentials) {
    this.value = c;
  }
}

async function service(concurBase: string, intacctEndpoint: string) {
  const concur = new ConcurTokenManager({
    config: { authBaseUrl: concurBase, clientId: 'client-id', clientSecret: 'client-secret-value', refreshToken: 'refresh-token-value' },
    store: new MemoryCredentials(),
  });
  const intacct = new IntacctGatewayClient({
    endpoint: intacctEndpoint,
    sender: { senderId: 'sender', senderPassword: 'sender-password-value' },
    login: { userId: 'user', companyId: 'co', userPassword: 'user-password-value' },
    retry: { maxAttempts: 1 },
  });
  const runner = { status: async () => [{ name: 'posting-state', state: 'running', lag: 0 }] } as unknown as ProjectionRunner;
  const health = new HealthMonitor(connectorReadiness({ store: new MemoryEventStore(), runner, concur, intacct }), { intervalMs: 200, timeoutMs: 400 });
  health.start();
  const http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    routes: {},
    readiness: health,
    metrics: async () => '',
    log: createLogger({ level: 'error', write: () => undefined }),
  });
  return {
    health,
    async readyz() {
      const started = performance.now();
      const res = await fetch(`${http.url}/readyz`);
      const body = (await res.json()) as {
        status: string;
        checks: Array<{ name: string; ok: boolean; detail: string; checkedAt: string | null; ageMs: number | null }>;
      };
      return { ms: performance.now() - started, status: res.status, body, check: (name: string) => body.checks.find((c) => c.name === name)! };
    },
    async close() {
      health.stop();
      http.server.closeAllConnections();
      await http.close();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('/readyz with remote systems down', () => {
  it('Concur token endpoint refused (nothing listens), Intacct accepts but never answers: answers < 1 s, not ready, with the age of each result', async () => {
    const s = await service(`http://127.0.0.1:${deadPort}`, `http://127.0.0.1:${hangPort}/ia/xml/xmlgw.phtml`);
    try {
      const first = await s.readyz();
      expect(first.ms).toBeLessThan(1_000);
      expect(first.status).toBe(503);
      expect(first.check('concur').ok).toBe(false);
      await sleep(700);
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await s.readyz();
        times.push(r.ms);
        expect(r.ms).toBeLessThan(1_000);
        expect(r.status).toBe(503);
        expect(r.body.status).toBe('not ready');
        const concur = r.check('concur');
        expect(concur.ok).toBe(false);
        expect(concur.detail).toMatch(/unreachable/);
        expect(concur.detail).not.toContain('client-secret-value');
        const intacct = r.check('intacct');
        expect(intacct.ok).toBe(false);
        expect(intacct.detail).toMatch(/no answer/);
        expect(intacct.detail).not.toContain('password-value');
        for (const c of r.body.checks) {
          expect(typeof c.checkedAt).toBe('string');
          expect(c.ageMs).toBeGreaterThanOrEqual(0);
          // refreshed every 200 ms (a hung check is recorded failed again each round)
          expect(c.ageMs).toBeLessThan(1_000);
        }
        expect(r.check('event-store').ok).toBe(true);
        await sleep(50);
      }
      process.stdout.write(
        `/readyz, Concur refused + Intacct hanging: max ${Math.round(Math.max(...times))} ms over ${times.length} probes (first ${Math.round(first.ms)} ms)\n`,
      );
    } finally {
      await s.close();
    }
  });

  it('Concur token endpoint accepts but never answers: answers < 1 s and Concur is not ready', async () => {
    const s = await service(`http://127.0.0.1:${hangPort}`, `http://127.0.0.1:${deadPort}/ia/xml/xmlgw.phtml`);
    try {
      const first = await s.readyz();
      expect(first.ms).toBeLessThan(1_000);
      expect(first.check('concur')).toMatchObject({ ok: false, checkedAt: null, ageMs: null });
      await sleep(700);
      const r = await s.readyz();
      expect(r.ms).toBeLessThan(1_000);
      expect(r.status).toBe(503);
      expect(r.check('concur').ok).toBe(false);
      expect(r.check('concur').detail).toMatch(/no answer/);
      expect(r.check('intacct').ok).toBe(false);
      process.stdout.write(`/readyz, Concur hanging: ${Math.round(r.ms)} ms (first ${Math.round(first.ms)} ms)\n`);
    } finally {
      await s.close();
    }
  });

  it('checks local parts at each probe (a failing store shows at once), remote systems only in the background', async () => {
    let storeOk = true;
    let remoteOk = true;
    const health = new HealthMonitor(
      [
        { name: 'event-store', check: async () => ({ ok: storeOk, detail: storeOk ? 'fine' : 'appends failing: SQLITE_FULL' }) },
        { name: 'concur', remote: true, check: async () => ({ ok: remoteOk, detail: remoteOk ? 'connected' : 'down' }) },
        { name: 'slow-local', check: () => new Promise(() => undefined) },
      ],
      { intervalMs: 60_000, timeoutMs: 1_000 },
    );
    health.start();
    const http = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      routes: {},
      readiness: health,
      metrics: async () => '',
      log: createLogger({ level: 'error', write: () => undefined }),
    });
    const get = async () => {
      const started = performance.now();
      const body = (await (await fetch(`${http.url}/readyz`)).json()) as { checks: Array<{ name: string; ok: boolean; detail: string }> };
      return { ms: performance.now() - started, by: Object.fromEntries(body.checks.map((c) => [c.name, c])) };
    };
    try {
      await sleep(50);
      const first = await get();
      expect(first.by['event-store']!.ok).toBe(true);
      expect(first.by['concur']!.ok).toBe(true);
      // A local check that hangs is failed after 500 ms; the probe still answers within 1 s.
      expect(first.by['slow-local']).toMatchObject({ ok: false, detail: expect.stringMatching(/no answer/) });
      expect(first.ms).toBeLessThan(1_000);
      storeOk = false;
      remoteOk = false;
      const second = await get();
      expect(second.by['event-store']).toMatchObject({ ok: false, detail: 'appends failing: SQLITE_FULL' });
      // The remote result is the background one (next round in a minute).
      expect(second.by['concur']!.ok).toBe(true);
      expect(second.ms).toBeLessThan(1_000);
      await health.refresh();
      expect((await get()).by['concur']!.ok).toBe(false);
    } finally {
      health.stop();
      http.server.closeAllConnections();
      await http.close();
    }
  });
});
