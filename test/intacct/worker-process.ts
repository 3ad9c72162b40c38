/**
 * A posting worker as its own process, for the crash test: the parent SIGKILLs it mid-run and starts
 * another on the same files. Configuration comes from the environment the parent passes.
 */
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/index.js';
import { IntacctGatewayClient } from '../../src/adapters/intacct/gateway-client.js';
import { SqlitePostingState } from '../../src/adapters/intacct/posting-state.js';
import { IntacctPostingWorker } from '../../src/adapters/intacct/posting-worker.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const store = await SqliteEventStore.open(env('EVENTS_DB'), { pollIntervalMs: 20, synchronous: 'NORMAL' });
const client = new IntacctGatewayClient({
  endpoint: env('SIM_URL'),
  sender: { senderId: 'ml-sender', senderPassword: 'sender-secret' },
  login: { userId: 'ml-api', companyId: 'ml-demo', userPassword: 'user-secret' },
  maxConcurrency: 2,
  retry: { baseDelayMs: 2, maxDelayMs: 40, maxAttempts: 10 },
  requestTimeoutMs: 5_000,
});
const workerState = SqlitePostingState.open(env('STATE_DB'));
const worker = new IntacctPostingWorker({
  store,
  gateway: client,
  state: workerState,
  batchSize: Number(process.env['BATCH_SIZE'] ?? '6'),
  retry: { baseDelayMs: 20, maxDelayMs: 150 },
  onError: (e) => process.stderr.write(`worker error: ${e.stack ?? e.message}\n`),
});
await worker.start();
process.stdout.write('ready\n');
// A heartbeat the parent shows when the run gets stuck.
setInterval(() => {
  const m = client.metrics();
  process.stderr.write(
    `hb queue=${workerState.size()} due=${workerState.due(Date.now(), 1000).length} requests=${m.requests} retries=${m.retries} inFlight=${m.inFlight} sessions=${m.sessionsOpened}\n`,
  );
}, 2000).unref();
