/**
 * Finds references to places outside the repository: a fresh clone has nothing beside it, so code
 * that reads `../something` above the root, an absolute path of one developer's machine, or a
 * document that cites a file the repository does not hold works only where it was written.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface OutsideReference {
  /** Path relative to the root, with `/`. */
  file: string;
  line: number;
  text: string;
  why: string;
}

/**
 * Names of material that lived beside the project and must not be relied on (the contract and the
 * reference folder). Spelled in pieces so that this file does not match itself.
 */
const OUTSIDE_NAMES: readonly { pattern: RegExp; why: string }[] = [
  { pattern: new RegExp(['\\.\\.', 'shared'].join('/')), why: 'the folder beside the repository' },
  { pattern: new RegExp(['shared', '(fixtures|docs)'].join('/')), why: 'the folder beside the repository' },
  { pattern: new RegExp(['\\bproduct', 'md\\b'].join('\\.')), why: 'a document the repository does not hold (use docs/)' },
];

/** Absolute paths of a machine: home folders, the shared workspace, mounts. */
const ABSOLUTE = /(?<![\w.:/-])\/(work|home|Users|root|mnt|srv|opt)\/[\w.-]/;

/** A run of path characters that climbs (`../`) somewhere. */
const CLIMBING = /[\w.@~+/-]*\.\.\/[\w.@~+/-]*/g;

/** Checks one file's text; `file` is its path relative to `root`. */
export function outsideReferences(root: string, file: string, text: string): OutsideReference[] {
  const found: OutsideReference[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const at = (why: string) => found.push({ file, line: i + 1, text: line.trim().slice(0, 160), why });
    for (const { pattern, why } of OUTSIDE_NAMES) if (pattern.test(line)) at(why);
    if (ABSOLUTE.test(line)) at('an absolute path of one machine');
    for (const match of line.matchAll(CLIMBING)) {
      const token = match[0];
      // `//host/../x` is the rest of a URL and `/x/../y` an absolute path (checked above): only
      // relative paths are resolved, from the file's own folder as imports, URLs relative to
      // import.meta.url and Markdown links are.
      if (token.startsWith('/')) continue;
      const target = resolve(root, dirname(file), token);
      if (target !== root && !target.startsWith(root + sep)) at(`${token} leaves the repository (resolves to ${relative(root, target)})`);
    }
  }
  return found;
}

/** Text files under the given folders / files of `root` (dependencies and caches skipped). */
export function textFiles(root: string, entries: readonly string[]): string[] {
  const out: string[] = [];
  const skip = new Set(['node_modules', '.cache', 'dist', 'data', 'coverage', '.git']);
  const walk = (rel: string): void => {
    const full = join(root, rel);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(full).sort()) if (!skip.has(name)) walk(rel === '' ? name : `${rel}/${name}`);
    } else if (/\.(ts|js|mjs|cjs|json|md|sh|xml|html|ya?ml|txt)$|^[^.]*$/.test(rel.split('/').pop()!) && !rel.endsWith('package-lock.json')) {
      out.push(rel);
    }
  };
  for (const entry of entries) walk(entry);
  return out;
}

export function scanRepository(root: string, entries: readonly string[]): OutsideReference[] {
  if (!isAbsolute(root)) throw new Error(`root must be absolute, got ${root}`);
  return textFiles(root, entries).flatMap((file) => outsideReferences(root, file, readFileSync(join(root, file), 'utf8')));
}
