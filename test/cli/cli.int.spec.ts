import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/index.js';
import { loadConfig } from '../../src/app/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { startConnector, type RunningConnector } from '../../src/app/runtime.js';
import { startSandboxSystems, type SandboxSystems } from '../../src/app/sandbox-systems.js';
import { runCliProcess, runShell } from './cli-process.js';

/** The CLI as a user runs it: a separate node process, over HTTP to a real connector (sandbox simulators, SQLite in a temp dir, port 0). */
const cli = runCliProcess;
const shell = runShell;

/** A loopback port that nothing listens on (taken from the OS, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let dir: string;
let sandbox: SandboxSystems;
let connector: RunningConnector;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ml-cli-'));
  sandbox = await startSandboxSystems();
  // Two approved reports in October for the backfill to find.
  for (const name of ['CLI backfill Oslo', 'CLI backfill Lyon']) {
    sandbox.concur.addDocument(generateExpenseDocument({ submitDate: '2026-10-15T10:00:00.000Z', reportName: name, entryCents: [1250, 4999] }));
  }
  const config = loadConfig({ ML_DATA_DIR: join(dir, 'data'), ML_SANDBOX: '1', PORT: '0', CONCUR_POLL_INTERVAL_S: '0' });
  connector = await startConnector(config, sandbox.endpoints, createLogger({ level: 'error', write: () => undefined }));
  env = { ML_URL: connector.url };
});

afterAll(async () => {
  await connector?.stop();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('CLI against a running connector', () => {
  it('imports a mapping file, and exports exactly that set as JSON on stdout only', async () => {
    const set = {
      journal: 'EXPJ',
      accounts: { '6400': '6400', '6500': '6500', '6600': '6600' },
      counterparties: { EMPL: { account: '2050', employeeDimension: true } },
      defaults: { LOCATION: '100' },
    };
    const file = join(dir, 'mappings.json');
    writeFileSync(file, JSON.stringify(set));
    const imported = await cli(['mappings', 'import', file, '--reason', 'cli test'], env);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const revision = Number(/mapping revision (\d+)/.exec(imported.stdout)?.[1]);
    expect(revision).toBeGreaterThanOrEqual(0);
    expect(imported.stdout).toContain('reason: cli test');

    const exported = await cli(['mappings', 'export'], env);
    expect(exported.code).toBe(0);
    // stdout is the JSON and nothing else, so `> m.json` gives an importable file.
    expect(JSON.parse(exported.stdout)).toMatchObject(set);
    expect(exported.stderr).toContain(`revision ${revision}`);

    const bad = join(dir, 'broken.json');
    writeFileSync(bad, '{"accounts": ');
    const unknownSection = join(dir, 'unknown.json');
    writeFileSync(unknownSection, '{"acounts": {}}');
    const [refused, badInput, wrongToken] = await Promise.all([
      cli(['mappings', 'import', bad], env),
      cli(['mappings', 'import', unknownSection], env),
      cli(['mappings', 'export'], { ...env, ML_TOKEN: 'not-a-configured-token-0000' }),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*broken\.json is not valid JSON/m);
    expect(badInput.code).toBe(1);
    expect(badInput.stderr.trim()).toMatch(/^error: BAD_USER_INPUT: Mapping change refused: \(root\)\.acounts is not a known field/);
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stdout).toBe('');
    expect(wrongToken.stderr).toMatch(/^error: UNAUTHENTICATED: .*The token \(ML_TOKEN or ML_API_TOKENS\) is not one the service knows/m);
  });

  it('round-trips exactly `npm run cli -- mappings export > m.json && npm run cli -- mappings import m.json`', async () => {
    // npm prints "> ml-connector@0.1.0 cli …" before the script; the project's .npmrc keeps it off stdout.
    const file = join(dir, 'm.json');
    const run = await shell(`npm run cli -- mappings export > ${file} && npm run cli -- mappings import ${file}`, env);
    expect(run.code, run.stderr).toBe(0);
    const written = readFileSync(file, 'utf8');
    expect(written).toBe((await connector.service.mappings()).json);
    expect(JSON.parse(written)).toMatchObject({ journal: 'EXPJ', accounts: { '6400': '6400' } });
    expect(run.stdout.trim()).toMatch(/m\.json \(merge\): no changes, the mapping set already holds it; nothing was recorded \(mapping revision \d+\)\.$/);
  });

  it('mappings import merges by default, --dry-run prints the diff and records nothing, --replace replaces; export --out writes the file', async () => {
    const partial = join(dir, 'partial.json');
    writeFileSync(partial, JSON.stringify({ accounts: { '6400': '6401', constructor: '6500' } }));
    const before = await connector.service.mappings();
    const dry = await cli(['mappings', 'import', partial, '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toBe(
      [
        `Dry run of ${partial} (merge): 2 change(s): 1 added, 1 changed, 0 removed would be recorded; nothing was changed.`,
        '  changed accounts.6400: "6400" -> "6401"',
        '  added accounts.constructor: "6500"',
        '  not checked: accounts.6400: GL account 6401 was not checked: no GLACCOUNT reference data is cached yet (it is checked when documents arrive, and a sync fills the cache)',
        '  not checked: accounts.constructor: GL account 6500 was not checked: no GLACCOUNT reference data is cached yet (it is checked when documents arrive, and a sync fills the cache)',
        '',
      ].join('\n'),
    );
    expect((await connector.service.mappings()).json).toBe(before.json);

    const merged = await cli(['mappings', 'import', partial, '--reason', 'merge test'], env);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^Imported .*partial\.json \(merge\): mapping revision \d+ \(by user:sandbox, reason: merge test\)/);
    const after = JSON.parse((await connector.service.mappings()).json) as { accounts: Record<string, string>; counterparties: object };
    expect(after.accounts).toEqual({ '6400': '6401', '6500': '6500', '6600': '6600', constructor: '6500' });
    expect(after.counterparties).toEqual({ EMPL: { account: '2050', employeeDimension: true } }); // absent from the file: kept

    const out = join(dir, 'out.json');
    const exported = await cli(['mappings', 'export', '--out', out], env);
    expect([exported.code, exported.stdout]).toEqual([0, '']);
    expect(exported.stderr).toContain(`wrote ${out}`);
    expect(readFileSync(out, 'utf8')).toBe((await connector.service.mappings()).json);

    const replaced = await cli(['mappings', 'import', partial, '--replace'], env);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain('  removed counterparties.EMPL (was {"account":"2050","employeeDimension":true})');
    expect(JSON.parse((await connector.service.mappings()).json)).toMatchObject({
      accounts: { '6400': '6401', constructor: '6500' },
      counterparties: {},
      journal: null,
    });
    // Back to the set the other tests expect.
    expect((await cli(['mappings', 'import', out, '--replace'], env)).code).toBe(0);
  });

  it('backfill --dry-run shows progress and lists what would be posted', async () => {
    const run = await cli(['backfill', '--from', '2026-10-01', '--to', '2026-10-31', '--dry-run'], env);
    expect(run.stderr).toMatch(/backfill \(dry run\): 2\/2 documents \(100%\)/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run 2026-10-01..2026-10-31: nothing was recorded, posted or acknowledged in Concur. 2 document(s) found:');
    expect(run.stdout).toMatch(/would-post: report \S+ "CLI backfill Oslo" 62\.49 USD/);
    expect(run.stdout).toMatch(/would-post: report \S+ "CLI backfill Lyon"/);
    // A dry run records nothing: the real run then records both, and a second run finds them known.
    const real = await cli(['backfill', '--from', '2026-10-15', '--to', '2026-10-15'], env);
    expect(real.code).toBe(0);
    expect(real.stdout.match(/^ {2}recorded: report /gm)).toHaveLength(2);
    const again = await cli(['backfill', '--from', '2026-10-15', '--to', '2026-10-15'], env);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/^ {2}already-known: report /gm)).toHaveLength(2);
  });

  it('replay rebuilds every projection and waits until each is live again', async () => {
    const run = await cli(['replay'], env);
    expect(run.code).toBe(0);
    const names = (await connector.service.projections()).map((p) => p.name);
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) expect(run.stdout).toContain(`${name}: rebuilt`);
    expect(run.stdout).toContain(`Rebuilt ${names.length} projection(s)`);

    const unknown = await cli(['replay', '--projection', 'no-such-model'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: NOT_FOUND: No projection named "no-such-model"/m);
  });

  it('sync reports the changes it made', async () => {
    const run = await cli(['sync', 'dimensions'], env);
    expect(run.stderr).toContain('sync dimensions: job ');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Sync of dimensions: succeeded$/m);
    expect(run.stdout).toMatch(/^No conflicts$/m);
    // One line per kind, e.g. "  GLACCOUNT: 12 added, 0 changed, 0 removed (12 in Intacct)".
    const inIntacct = [...run.stdout.matchAll(/^ {2}[A-Z]+: \d+ added.*\((\d+) in Intacct\)$/gm)].map((m) => Number(m[1]));
    expect(inIntacct).toHaveLength(6);
    // The service ran exactly the dimension kinds, and its cache now holds what the sync reported.
    const runs = await connector.service.syncRuns();
    expect(runs[0]?.kinds).toEqual(['GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'CUSTOMER', 'CLASS']);
    expect(connector.service.dimensions().length).toBe(inIntacct.reduce((a, b) => a + b, 0));
  });
});

// Independent processes: run side by side to keep the file fast.
describe.concurrent('CLI without a service', () => {
  it('ping in sandbox mode checks the simulators and says it is a sandbox', async () => {
    const run = await cli(['ping'], { ML_SANDBOX: '1', ML_DATA_DIR: join(dir, 'ping') });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^SANDBOX: /);
    expect(run.stdout).toMatch(/^Concur {3}OK {6}access token obtained; datacenter \(geolocation\) http:\/\/127\.0\.0\.1:\d+/m);
    expect(run.stdout).toMatch(/^Intacct {2}OK {6}API session opened .*; endpoint http:\/\/127\.0\.0\.1:\d+/m);
  });

  it('ping with unreachable real systems fails per system and prints no secret', async () => {
    const port = await freePort();
    const secrets = {
      CONCUR_CLIENT_SECRET: 'concur-client-secret-value-1234',
      CONCUR_REFRESH_TOKEN: 'concur-refresh-token-value-5678',
      INTACCT_SENDER_PASSWORD: 'sender-password-value-9012',
      INTACCT_USER_PASSWORD: 'user-password-value-3456',
    };
    const run = await cli(['ping'], {
      ML_SANDBOX: '0',
      ML_DATA_DIR: join(dir, 'ping-real'),
      ML_API_TOKENS: 'ada:admin:0123456789abcdef0123',
      ML_SECRET_KEY: 'k'.repeat(40),
      CONCUR_WEBHOOK_VERIFY: 'none',
      CONCUR_AUTH_BASE_URL: `http://127.0.0.1:${port}`,
      CONCUR_CLIENT_ID: 'client',
      INTACCT_ENDPOINT: `http://127.0.0.1:${port}/ia/xml/xmlgw.phtml`,
      INTACCT_SENDER_ID: 'sender',
      INTACCT_COMPANY_ID: 'company',
      INTACCT_USER_ID: 'user',
      ...secrets,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('SANDBOX');
    expect(run.stdout).toMatch(/^Concur {3}FAILED {2}.*unreachable.*check CONCUR_AUTH_BASE_URL/m);
    expect(run.stdout).toMatch(/^Intacct {2}FAILED {2}.+/m);
    for (const secret of Object.values(secrets)) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('a bad date exits 1 with a message naming the option', async () => {
    const run = await cli(['backfill', '--from', '2026-02-30', '--to', '2026-03-01'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe('error: --from must be YYYY-MM-DD, a real day (got "2026-02-30")');
  });

  it('says the service is not running, and where it looked', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await cli(['sync'], { ML_URL: url });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `error: Cannot reach the service at ${url} (connection refused): is the service running? Start it with npm start, or set ML_URL`,
    );
  });
});
