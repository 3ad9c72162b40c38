/**
 * `npm run cli -- <command>`: operator commands. Everything but `ping` goes through the running
 * service's GraphQL API (docs/cli.md), so the CLI never opens the event store behind its back.
 */
import { environmentWithDotEnv } from '../app/config.js';
import { runCli } from './run.js';
import { redact } from '../observability/logger.js';

const io = {
  out: (text: string) => void process.stdout.write(`${text}\n`),
  err: { write: (text: string) => void process.stderr.write(text), isTTY: Boolean(process.stderr.isTTY) },
  env: environmentWithDotEnv(),
  pollMs: 500,
};

process.on('SIGINT', () => {
  // The service owns the job: stopping the CLI only stops watching it.
  process.stderr.write('\ninterrupted: a job already started keeps running in the service (see its log, or the job query)\n');
  process.exit(130);
});

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: unexpected failure: ${redact(error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = 1;
  },
);
