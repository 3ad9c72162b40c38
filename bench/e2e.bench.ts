/**
 * Webhook-to-POSTED latency through the whole service: signed ESS webhooks at a steady rate into the
 * running connector (SQLite store, pipeline, Intacct worker), Intacct simulated with 150 ms latency and
 * concurrency 2. Latency = PostingSucceeded recorded minus the notification recorded, per document.
 * Baseline: the simulated Intacct latency itself (the floor for one posting).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateExpenseDocument } from '../src/adapters/concur/simulator/documents.js';
import { loadConfig } from '../src/app/config.js';
import { createLogger } from '../src/observability/logger.js';
import { startConnector } from '../src/app/runtime.js';
import { runSandboxDemo } from '../src/app/sandbox-demo.js';
import { startSandboxSystems } from '../src/app/sandbox-systems.js';
import type { Emit } from './figure.js';

const INTACCT_LATENCY_MS = 150;

export async function run(emit: Emit, opts: { quick: boolean }): Promise<void> {
  const rate = 50;
  const seconds = opts.quick ? 4 : 20;
  const dir = mkdtempSync(join(tmpdir(), 'ml-bench-e2e-'));
  const systems = await startSandboxSystems();
  const config = loadConfig({ ML_SANDBOX: '1', ML_DATA_DIR: dir, PORT: '0', CONCUR_POLL_INTERVAL_S: '0' });
  const log = createLogger({ level: 'error', json: true, write: () => undefined });
  const running = await startConnector(config, systems.endpoints, log);
  try {
    await runSandboxDemo(running, systems, log);
    // Let the demo documents settle first, so that the GLBATCH count below is ours alone.
    for (let settled = false; !settled; await new Promise((r) => setTimeout(r, 100))) {
      await running.service.caughtUp();
      const counts = running.service.queries.countsByStatus();
      settled = ['RECEIVED', 'FETCHED', 'READY', 'POSTING'].every((s) => !counts[s]);
    }
    systems.intacct.faults.latencyMs = INTACCT_LATENCY_MS;

    const before = systems.intacct.state.glbatches.length;
    const total = rate * seconds;
    const ids: string[] = [];
    const started = Date.now();
    const deliveries: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const doc = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000', '474230'], entryCents: [1000 + i, 2500 + (i % 97)] });
      ids.push(doc.id);
      deliveries.push(systems.concur.publishDocument(doc));
    }
    await Promise.all(deliveries);
    const offeredRate = total / ((Date.now() - started) / 1000);

    const latencies: number[] = [];
    const deadline = Date.now() + 120_000;
    for (const id of ids) {
      for (;;) {
        const events = await running.store.readStream(`document-expense-${id}`);
        const received = events.find((e) => e.type === 'ConcurDocumentReceived');
        const posted = events.find((e) => e.type === 'PostingSucceeded');
        if (received && posted) {
          latencies.push(Date.parse(posted.recordedAt) - Date.parse(received.recordedAt));
          break;
        }
        if (Date.now() > deadline) throw new Error(`document ${id} did not post within 2 minutes`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    latencies.sort((a, b) => a - b);
    const pct = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    const baseline = { name: 'simulated Intacct latency per request', value: INTACCT_LATENCY_MS, unit: 'ms' };
    emit({ name: 'webhook-to-posted p50', value: pct(0.5), unit: 'ms', baseline, documents: total, offeredRatePerS: Number(offeredRate.toFixed(1)) });
    emit({ name: 'webhook-to-posted p99', value: pct(0.99), unit: 'ms', baseline, goal: 'p99 < 1000 ms at 50 documents/s', documents: total });
    emit({ name: 'GLBATCHes posted for the documents sent', value: systems.intacct.state.glbatches.length - before, unit: 'count', expected: total });
  } finally {
    await running.stop();
    await systems.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
