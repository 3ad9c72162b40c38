/**
 * Reference sync: the daily run of a company with 10,000 vendors and 2,000 GL accounts where 10
 * records changed since the last run (5 vendors renamed, 5 accounts deactivated), read incrementally
 * (`WHENMODIFIED >=` the high-water mark), next to a full read of the same company, in the same run.
 * Intacct is the simulator at 150 ms per request (like the intacct suite); functions are counted as
 * they are sent (each readByQuery / readMore is one Intacct API transaction).
 */
import Database from 'better-sqlite3';
import { MemoryEventStore } from '../src/adapters/eventstore/memory/memory-event-store.js';
import { IntacctGatewayClient } from '../src/adapters/intacct/gateway-client.js';
import type { GatewayExecutor } from '../src/adapters/intacct/posting-worker.js';
import { IntacctReferenceData } from '../src/adapters/intacct/reference.js';
import { deactivateRow, modifyRow, startIntacctSimulator } from '../src/adapters/intacct/simulator/index.js';
import { formatIntacctTimestamp } from '../src/adapters/intacct/timestamp.js';
import { ReferenceSync } from '../src/application/reference-sync.js';
import { createLogger } from '../src/observability/logger.js';
import { dimensionCacheProjection } from '../src/projections/dimension-cache.js';
import type { Emit } from './figure.js';

const LATENCY_MS = 150;
const VENDORS = 10_000;
const ACCOUNTS = 2_000;
const CHANGES = 10;

export async function run(emit: Emit, opts: { quick: boolean }): Promise<void> {
  const vendors = opts.quick ? VENDORS / 10 : VENDORS;
  const accounts = opts.quick ? ACCOUNTS / 10 : ACCOUNTS;
  const sim = await startIntacctSimulator({ maxConcurrent: 2, faults: { latencyMs: LATENCY_MS } });
  const company = sim.state;
  // Master data created over the past two years, a few minutes apart.
  const created = Date.UTC(2024, 0, 1);
  const table = (object: string): Map<string, Record<string, string>> => company.objects.get(object)!;
  for (let i = 0; i < vendors; i++) {
    const id = `V${String(i).padStart(5, '0')}`;
    table('VENDOR').set(id, {
      RECORDNO: String(10_000 + i),
      VENDORID: id,
      NAME: `Vendor ${i}`,
      STATUS: 'active',
      WHENMODIFIED: formatIntacctTimestamp(created + i * 300_000),
    });
  }
  for (let i = 0; i < accounts; i++) {
    const id = String(70_000 + i);
    table('GLACCOUNT').set(id, {
      RECORDNO: String(50_000 + i),
      ACCOUNTNO: id,
      TITLE: `Account ${id}`,
      STATUS: 'active',
      WHENMODIFIED: formatIntacctTimestamp(created + i * 900_000),
    });
  }

  const client = new IntacctGatewayClient({
    endpoint: sim.url,
    sender: { senderId: 'ml-sender', senderPassword: 'sender-secret' },
    login: { userId: 'ml-api', companyId: 'ml-demo', userPassword: 'user-secret' },
    maxConcurrency: 2,
    requestTimeoutMs: 30_000,
  });
  let functions = 0;
  const counting: GatewayExecutor = {
    execute: (fns, options) => ((functions += fns.length), client.execute(fns, options)),
  };
  const store = new MemoryEventStore();
  const db = new Database(':memory:');
  const ctx = { db, table: (name: string) => name } as never;
  dimensionCacheProjection.setup(ctx);
  let applied: bigint | undefined;
  const project = async (): Promise<void> => {
    for (const e of await store.readAll(applied === undefined ? {} : { after: applied })) {
      dimensionCacheProjection.apply(e, ctx);
      applied = e.position;
    }
  };
  const sync = new ReferenceSync(store, () => db, new IntacctReferenceData(counting), createLogger({ level: 'error' }));
  const kinds = ['VENDOR', 'GLACCOUNT'];

  const changeSome = (round: number): void => {
    for (let i = 0; i < CHANGES / 2; i++) {
      modifyRow(company, 'VENDOR', `V${String(round * 100 + i * 7).padStart(5, '0')}`, { NAME: `Renamed vendor ${round}-${i}` });
      deactivateRow(company, 'GLACCOUNT', String(70_000 + round * 50 + i * 3));
    }
  };
  const measure = async (full: boolean): Promise<{ seconds: number; functions: number; read: number; updated: number; mode: string }> => {
    functions = 0;
    const started = performance.now();
    const result = await sync.run(kinds, 'system:bench', undefined, { full });
    await project();
    const seconds = (performance.now() - started) / 1000;
    if (result.errors.length) throw new Error(result.errors.join('; '));
    const steps = result.report ?? [];
    return {
      seconds,
      functions,
      read: steps.reduce((n, s) => n + s.counts.read, 0),
      updated: steps.reduce((n, s) => n + s.counts.updated, 0),
      mode: result.mode ?? 'full',
    };
  };

  try {
    await measure(true); // the first full read: the cache and the marks
    changeSome(1);
    const incremental = await measure(false);
    changeSome(2);
    const full = await measure(true);
    if (incremental.mode !== 'incremental' || incremental.updated !== CHANGES || full.updated !== CHANGES)
      throw new Error(`unexpected runs: ${JSON.stringify({ incremental, full })}`);
    const company_ = `${vendors} vendors + ${accounts} accounts, ${CHANGES} changes`;
    emit({
      name: `daily reference sync, incremental (${company_})`,
      value: incremental.functions,
      unit: 'functions',
      baseline: { name: 'full read of the same company', value: full.functions, unit: 'functions' },
      rowsRead: incremental.read,
      baselineRowsRead: full.read,
      latencyMs: LATENCY_MS,
    });
    emit({
      name: `daily reference sync, incremental (${company_})`,
      value: Number(incremental.seconds.toFixed(3)),
      unit: 's',
      baseline: { name: 'full read of the same company', value: Number(full.seconds.toFixed(3)), unit: 's' },
      latencyMs: LATENCY_MS,
      goal: 'daily cost proportional to what changed',
    });
  } finally {
    db.close();
    await sim.close();
  }
}
