/** Child of eventstore.bench.ts: pages through an existing event file as a projection replay does, alone in a process. */
import { SqliteEventStore } from '../src/adapters/eventstore/sqlite/index.js';
import { peakRssMb } from './child.js';

const [path] = process.argv.slice(2) as [string];
const store = await SqliteEventStore.open(path);
let read = 0;
let checksum = 0;
const cpu = process.cpuUsage();
const t = performance.now();
for (let after = -1n; ; ) {
  const page = await store.readAll({ after, maxCount: 1000 });
  if (page.length === 0) break;
  for (const e of page) checksum += (e.data as { amountMinor: number }).amountMinor;
  read += page.length;
  after = page.at(-1)!.position;
}
const ms = performance.now() - t;
const used = process.cpuUsage(cpu);
await store.close();
process.stdout.write(`${JSON.stringify({ read, checksum, ms, cpuSeconds: (used.user + used.system) / 1e6, peakRssMb: peakRssMb() })}\n`);
