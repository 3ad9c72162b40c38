/**
 * The repository stands alone: a fresh clone with nothing beside it must build, test and run. No
 * file may read or cite a path outside it (see outside-references.ts for what counts).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { outsideReferences, scanRepository, textFiles } from './outside-references.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const SCANNED = [
  'src',
  'test',
  'bench',
  'scripts',
  'docs',
  '.ci',
  'README.md',
  'CHANGELOG.md',
  'package.json',
  'vitest.config.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'docker-compose.yml',
];

describe('the repository stands alone', () => {
  it('no file under src, test, bench, scripts, docs (nor README, CHANGELOG, configs) refers outside the repository', () => {
    const files = textFiles(ROOT, SCANNED);
    // The scan must actually see the repository (a wrong root would pass with nothing scanned).
    expect(files).toContain('test/repository/standalone.unit.spec.ts');
    expect(files).toContain('README.md');
    expect(files.length).toBeGreaterThan(200);
    expect(scanRepository(ROOT, SCANNED)).toEqual([]);
  });

  // Planted lines, built at run time so this file itself holds none of them.
  const up = (n: number) => '../'.repeat(n);
  const planted: [string, string, string][] = [
    ['the folder beside the project, from the working directory', 'src/a.ts', `resolve(process.cwd(), '${up(1)}${'shared'}/fixtures')`],
    ['the reference folder named without ../', 'docs/a.md', `see ${'shared'}/${'docs'}/x.md`],
    ['the contract file', 'README.md', `as ${'product'}.md says`],
    ['an absolute path', 'test/a.ts', `readFileSync('/${'work'}/main/x.json')`],
    ['an import above the root', 'src/domain/a.ts', `import x from '${up(3)}elsewhere/x.js';`],
    ['a URL relative to the module above the root', 'test/posting/a.ts', `new URL('${up(3)}other/', import.meta.url)`],
    ['a Markdown link above the root', 'docs/a.md', `[notes](${up(2)}notes.md)`],
  ];
  for (const [what, file, line] of planted) {
    it(`flags ${what}`, () => {
      const found = outsideReferences(ROOT, file, `ok\n${line}\n`);
      expect(found.length).toBeGreaterThan(0);
      expect(found.filter((f) => f.file !== file || f.line !== 2)).toEqual([]);
    });
  }

  it('accepts paths that climb but stay inside, and URLs', () => {
    const text = [
      `import { x } from '${up(3)}test/posting/fixtures.js';`,
      `new URL('${up(2)}', import.meta.url)`,
      `[rules](${up(1)}docs/posting-rules.md)`,
      'https://developer.concur.com/api-reference/../x.html',
      'cd "$(dirname "$0")/.."',
    ].join('\n');
    expect(outsideReferences(ROOT, 'src/domain/fis/a.ts', text)).toEqual([]);
  });
});
