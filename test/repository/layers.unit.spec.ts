/**
 * The layers of docs/architecture.md, enforced: what each folder of src/ may import. A new import
 * across layers that the table does not allow fails here, with the file and the import named.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');

/** layer -> layers it may import (besides itself). Adapters never import one another. */
const ALLOWED: Record<string, string[]> = {
  domain: [],
  csv: [],
  observability: [],
  'adapters/sqlite-file': [],
  'adapters/eventstore': ['domain'],
  'adapters/concur': ['domain'],
  'adapters/intacct': ['domain', 'adapters/sqlite-file'],
  'adapters/kafka': ['domain'],
  projections: ['domain', 'adapters/sqlite-file'],
  processes: ['domain', 'projections', 'observability'],
  // Adapter types only (structural ports); the composition root constructs the adapters.
  application: ['domain', 'projections', 'processes', 'observability', 'csv', 'adapters/concur', 'adapters/intacct'],
  graphql: ['domain', 'application', 'projections', 'observability'],
  http: ['application', 'observability'],
  cli: ['domain', 'observability', 'app', 'adapters/concur', 'adapters/intacct', 'adapters/eventstore'],
  app: ['*'],
};

function layerOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts[0] === 'adapters' ? `adapters/${parts[1]!.replace(/\.ts$/, '')}` : parts[0]!.replace(/\.ts$/, '');
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.includes('.spec.') ? [path] : [];
  });
}

/** Every relative import of src/ that crosses into a layer its own may not use. */
export function layerViolations(): string[] {
  const out: string[] = [];
  for (const file of sources(SRC)) {
    // Simulators stand in for the remote systems: they may use their adapter's wire code, nothing else is special.
    const from = layerOf(file);
    const allowed = ALLOWED[from];
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = normalize(join(dirname(file), spec!));
      if (!target.startsWith(SRC)) continue;
      const to = layerOf(target);
      if (to === from) continue;
      if (!allowed) out.push(`${relative(ROOT, file)}: layer "${from}" is not in the table of test/repository/layers.unit.spec.ts`);
      else if (!allowed.includes('*') && !allowed.includes(to)) out.push(`${relative(ROOT, file)} imports ${spec} (${from} -> ${to})`);
    }
  }
  return [...new Set(out)];
}

describe('the layers of src/ (docs/architecture.md)', () => {
  it('no folder imports a layer it may not', () => {
    expect(layerViolations()).toEqual([]);
  });

  it('every folder of src/ has its README saying what it owns and may import', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    const adapters = readdirSync(join(SRC, 'adapters'))
      .map((n) => `adapters/${n}`)
      .filter((n) => statSync(join(SRC, n)).isDirectory());
    const missing = [...folders, ...adapters].filter((f) => {
      try {
        return !readFileSync(join(SRC, f, 'README.md'), 'utf8').includes('May import');
      } catch {
        return true;
      }
    });
    expect(missing).toEqual([]);
  });
});
