/** Child of projections.bench.ts: first build and rebuild over an existing event file, alone in a process. */
import { SqliteEventStore } from '../src/adapters/eventstore/sqlite/index.js';
import { readModelPath } from '../src/projections/read-model-db.js';
import { ProjectionRunner } from '../src/projections/runner.js';
import { peakRssMb } from './child.js';
import { documentTotals } from './projections.bench.js';

const [eventsPath, dir] = process.argv.slice(2) as [string, string];
const store = await SqliteEventStore.open(eventsPath);
const head = await store.headPosition();
const runner = ProjectionRunner.start({ store, databasePath: readModelPath(dir), projections: [documentTotals] });
let t = performance.now();
await runner.waitFor(head, 600_000);
const buildMs = performance.now() - t;
t = performance.now();
await runner.rebuild(documentTotals.name);
const rebuildMs = performance.now() - t;
const [status] = await runner.status();
await runner.stop();
await store.close();
process.stdout.write(`${JSON.stringify({ buildMs, rebuildMs, peakRssMb: peakRssMb(), atHead: status?.position === head, generation: status?.generation })}\n`);
