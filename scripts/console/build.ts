/**
 * Builds the operator console (console/ -> dist/console) when its sources, the shared modules it
 * bundles or the lockfile changed since the last build; `--force` builds anyway. `npm start` runs it
 * first (prestart), the test setup too, so a fresh clone needs only `npm install` and `npm start`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = join(root, 'dist', 'console');
const stampFile = join(outDir, '.build-stamp');
const INPUTS = ['console', 'src/csv', 'package-lock.json'];

function files(path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  try {
    return readdirSync(full, { withFileTypes: true })
      .filter((d) => d.name !== 'node_modules' && !d.name.startsWith('.'))
      .flatMap((d) => files(join(path, d.name)));
  } catch {
    return [path];
  }
}

/** A hash of every input file's path and content. */
export function consoleSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(files).sort())
    hash
      .update(`${relative(root, join(root, file))}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  return hash.digest('hex');
}

export async function ensureConsoleBuilt(options: { force?: boolean; quiet?: boolean } = {}): Promise<{ built: boolean; dir: string }> {
  const hash = consoleSourceHash();
  const current = existsSync(stampFile) && existsSync(join(outDir, 'index.html')) ? readFileSync(stampFile, 'utf8').trim() : null;
  if (!options.force && current === hash) return { built: false, dir: outDir };
  const started = Date.now();
  const { build } = await import('vite');
  // A test runner sets NODE_ENV=test, which would give a development bundle: this is always the production one.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: join(root, 'console', 'vite.config.ts'), mode: 'production', logLevel: options.quiet ? 'error' : 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
  writeFileSync(stampFile, `${hash}\n`);
  if (!options.quiet) process.stderr.write(`operator console built into ${relative(root, outDir)}/ in ${Date.now() - started} ms\n`);
  return { built: true, dir: outDir };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensureConsoleBuilt({ force: process.argv.includes('--force') }).catch((error: unknown) => {
    process.stderr.write(`operator console build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
