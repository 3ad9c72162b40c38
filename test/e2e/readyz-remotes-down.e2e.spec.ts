import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { startConnector, type RunningConnector } from '../../src/app/runtime.js';

/**
 * The whole service started against a Concur whose token endpoint is a port where nothing listens and
 * an Intacct gateway that accepts connections and never answers: /readyz answers within 1 s every
 * time, not ready, naming both.
 */
let running: RunningConnector;
let hang: Server;
const held: Socket[] = [];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ml-readyz-down-'));
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const deadPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  hang = createServer((s) => {
    held.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  const hangPort = (hang.address() as { port: number }).port;
  const config = loadConfig({
    ML_SANDBOX: '1',
    ML_DATA_DIR: dir,
    PORT: '0',
    CONCUR_POLL_INTERVAL_S: '0',
    ML_READINESS_INTERVAL_S: '1',
    ML_READINESS_TIMEOUT_MS: '800',
  });
  running = await startConnector(
    config,
    {
      concur: { authBaseUrl: `http://127.0.0.1:${deadPort}`, clientId: 'cid', clientSecret: 'concur-secret-value', refreshToken: 'refresh-token-value' },
      concurWebhookKeysPem: [],
      intacct: {
        endpoint: `http://127.0.0.1:${hangPort}/ia/xml/xmlgw.phtml`,
        senderId: 's',
        senderPassword: 'sender-secret-value',
        companyId: 'c',
        userId: 'u',
        userPassword: 'user-secret-value',
        entityId: null,
      },
      secretKey: 'k'.repeat(64),
    },
    createLogger({ level: 'error', write: () => undefined }),
  );
}, 60_000);
afterAll(async () => {
  await running?.stop();
  for (const s of held) s.destroy();
  await new Promise((r) => hang.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('/readyz of the running service with Concur and Intacct down', () => {
  it('answers within 1 s each time, 503, Concur and Intacct not ok, with their age', async () => {
    const times: number[] = [];
    let last: { checks: Array<{ name: string; ok: boolean; detail: string; ageMs: number | null }> } | null = null;
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      const started = performance.now();
      const res = await fetch(`${running.url}/readyz`);
      const text = await res.text();
      times.push(performance.now() - started);
      expect(res.status).toBe(503);
      expect(text).not.toMatch(/secret-value/);
      last = JSON.parse(text);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Math.max(...times)).toBeLessThan(1_000);
    const by = Object.fromEntries(last!.checks.map((c) => [c.name, c]));
    expect(by['concur']).toMatchObject({ ok: false, detail: expect.stringMatching(/unreachable/) });
    expect(by['intacct']).toMatchObject({ ok: false, detail: expect.stringMatching(/no answer/) });
    expect(by['concur']!.ageMs).toBeLessThan(3_000);
    expect(by['event-store']!.ok).toBe(true);
    process.stdout.write(
      `service /readyz with Concur refused + Intacct hanging: ${times.length} probes over 3 s, max ${Math.round(Math.max(...times))} ms, median ${Math.round(times.sort((a, b) => a - b)[times.length >> 1]!)} ms\n`,
    );
  });
});
