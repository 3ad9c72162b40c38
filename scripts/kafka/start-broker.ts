/**
 * `npx tsx scripts/kafka/start-broker.ts [workDir]`: a local single-node Kafka broker for development.
 * Prints the KAFKA_BROKERS value to use and runs until Ctrl-C (then stops the broker). Give a work
 * dir to keep topics and offsets between runs; without one, a temp dir is used and removed.
 */
import { KafkaBroker } from './broker.js';

const workDir = process.argv[2];
const started = Date.now();
const broker = await KafkaBroker.start(workDir ? { workDir } : {});
process.stdout.write(
  `Kafka ${broker.brokers} is up (${Date.now() - started} ms), data in ${broker.handle.workDir}\n` +
    `  export KAFKA_BROKERS=${broker.brokers}\n` +
    `  broker log: ${broker.logFile}\n` +
    `Ctrl-C stops it.\n`,
);
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  if (workDir) await broker.stop();
  else await broker.destroy();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
setInterval(() => undefined, 1 << 30);
