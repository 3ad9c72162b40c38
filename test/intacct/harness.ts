import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.js';
import { IntacctGatewayClient, type GatewayClientOptions } from '../../src/adapters/intacct/gateway-client.js';
import { SqlitePostingState } from '../../src/adapters/intacct/posting-state.js';
import { IntacctPostingWorker, type PostingWorkerOptions } from '../../src/adapters/intacct/posting-worker.js';
import { startIntacctSimulator, type IntacctSimulator, type IntacctSimulatorOptions } from '../../src/adapters/intacct/simulator/index.js';
import type { EventStore } from '../../src/domain/eventstore/port.js';

export interface Harness {
  sim: IntacctSimulator;
  store: EventStore;
  client: IntacctGatewayClient;
  dir: string;
  statePath: string;
  worker: IntacctPostingWorker;
  state: SqlitePostingState;
  errors: Error[];
  /** A fresh worker (and client) on the same state file, as after a process restart. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function clientFor(sim: IntacctSimulator, options: Partial<GatewayClientOptions> = {}): IntacctGatewayClient {
  return new IntacctGatewayClient({
    endpoint: sim.url,
    sender: { senderId: 'ml-sender', senderPassword: 'sender-secret' },
    login: { userId: 'ml-api', companyId: 'ml-demo', userPassword: 'user-secret' },
    maxConcurrency: 2,
    retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 8 },
    requestTimeoutMs: 5_000,
    ...options,
  });
}

export async function startHarness(
  simOptions: IntacctSimulatorOptions = {},
  workerOptions: Partial<PostingWorkerOptions> = {},
  clientOptions: Partial<GatewayClientOptions> = {},
): Promise<Harness> {
  const sim = await startIntacctSimulator(simOptions);
  const dir = mkdtempSync(join(tmpdir(), 'intacct-'));
  const statePath = join(dir, 'posting-state.db');
  const store = new MemoryEventStore();
  const errors: Error[] = [];
  const make = async (): Promise<{ client: IntacctGatewayClient; state: SqlitePostingState; worker: IntacctPostingWorker }> => {
    const client = clientFor(sim, clientOptions);
    const state = SqlitePostingState.open(statePath);
    const worker = new IntacctPostingWorker({
      store,
      gateway: client,
      state,
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      onError: (e) => errors.push(e),
      ...workerOptions,
    });
    await worker.start();
    return { client, state, worker };
  };
  const h: Harness = {
    sim,
    store,
    dir,
    statePath,
    errors,
    ...(await make()),
    async restart() {
      h.worker.kill();
      h.state.close();
      Object.assign(h, await make());
    },
    async close() {
      await h.worker.stop();
      h.state.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
