/**
 * `npm run bench [-- name ...] [-- --quick]`: runs every bench/*.bench.ts (or the named ones) and prints
 * one JSON line per figure on stdout. Progress goes to stderr so stdout stays machine-readable.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchFigure, BenchModule } from './figure.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

let failed = 0;
for (const file of files) {
  const suite = file.replace(/\.bench\.ts$/, '');
  process.stderr.write(`# bench ${suite}\n`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  const emit = (figure: BenchFigure): void => {
    process.stdout.write(`${JSON.stringify({ suite, ...figure })}\n`);
  };
  try {
    await mod.run(emit, { quick });
  } catch (error) {
    failed++;
    process.stderr.write(`# bench ${suite} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
