import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExpenseDocument } from '../../src/adapters/concur/simulator/documents.js';
import { startSandboxSystems, type SandboxSystems } from '../../src/app/sandbox-systems.js';
import { demoMappingsJson, seedSandboxIntacctCompany } from '../../src/app/sandbox/index.js';

/**
 * `npm start` as a user runs it outside sandbox: a separate process configured only by environment
 * variables (docs/contract.md, Configuration), pointed at the Concur and Intacct simulators as if they were the real
 * systems. Covers the configuration path, bearer tokens, signed webhooks, the reference sync at start,
 * graceful SIGTERM, and a restart that continues the rotated Concur refresh-token chain.
 */
const ADMIN = 'process-admin-token-0123456789';

describe('the service as a process, configured by environment variables', () => {
  let systems: SandboxSystems;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let service: { child: ChildProcess; url: string; output: string[] } | null = null;

  const start = async (): Promise<{ child: ChildProcess; url: string; output: string[] }> => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`service did not start:\n${output.join('')}`)), 60_000);
      const onData = (chunk: Buffer): void => {
        output.push(chunk.toString());
        const match = /ml-connector started: GraphQL (http:\/\/[^/\s]+)\/graphql/.exec(output.join(''));
        if (match) clearTimeout(timer), resolve(match[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code) => reject(new Error(`service exited with ${code}:\n${output.join('')}`)));
    });
    return { child, url, output };
  };
  const stop = async (s: { child: ChildProcess }): Promise<number | null> =>
    new Promise((resolve) => {
      s.child.once('exit', (code) => resolve(code));
      s.child.kill('SIGTERM');
    });
  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: Array<{ message: string }> }> => {
    const res = await fetch(`${service!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as never;
  };
  const waitFor = async (what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${service?.output.join('').slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const statusOf = async (id: string): Promise<string | null> =>
    (await gql<{ posting: { status: string } | null }>(`query($id: ID!) { posting(id: $id) { status } }`, { id })).data?.posting?.status ?? null;

  beforeAll(async () => {
    systems = await startSandboxSystems();
    seedSandboxIntacctCompany(systems.intacct.state, new Date());
    dir = mkdtempSync(join(tmpdir(), 'ml-process-'));
    const keyFile = join(dir, 'concur-ess.pem');
    writeFileSync(keyFile, systems.concur.ess.publicKeyPem);
    const { concur, intacct } = systems.endpoints;
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      ML_DATA_DIR: join(dir, 'data'),
      ML_API_TOKENS: `ops:admin:${ADMIN}`,
      ML_SECRET_KEY: 'process-test-secret-key-0123456789abcdef',
      CONCUR_AUTH_BASE_URL: concur.authBaseUrl,
      CONCUR_CLIENT_ID: concur.clientId,
      CONCUR_CLIENT_SECRET: concur.clientSecret,
      CONCUR_REFRESH_TOKEN: concur.refreshToken!,
      CONCUR_WEBHOOK_PUBLIC_KEYS: keyFile,
      CONCUR_POLL_INTERVAL_S: '0',
      INTACCT_ENDPOINT: intacct.endpoint,
      INTACCT_SENDER_ID: intacct.senderId,
      INTACCT_SENDER_PASSWORD: intacct.senderPassword,
      INTACCT_COMPANY_ID: intacct.companyId,
      INTACCT_USER_ID: intacct.userId,
      INTACCT_USER_PASSWORD: intacct.userPassword,
      LOG_LEVEL: 'info',
    };
    service = await start();
  }, 90_000);

  afterAll(async () => {
    if (service) await stop(service);
    await systems?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a start with an incomplete configuration, naming each variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], {
      env: { ...env, ML_SECRET_KEY: 'short', INTACCT_USER_PASSWORD: '', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(text).toContain('ML_SECRET_KEY must be at least 32 characters');
    expect(text).toContain('INTACCT_USER_PASSWORD');
    expect(text).not.toContain(env.INTACCT_SENDER_PASSWORD!);
  });

  it('posts a signed webhook to Intacct, confirms it to Concur, and keeps working after a restart', async () => {
    // Without a token the API is closed.
    const anonymous = await fetch(`${service!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ postings { totalCount } }"}',
    });
    expect(anonymous.status).toBe(401);

    expect(
      (await gql(`mutation($json: String!) { importMappings(json: $json, reason: "go-live mappings") { revision } }`, { json: demoMappingsJson() })).errors,
    ).toBeUndefined();
    // The reference sync at start-up (5 s after start) fills the dimension caches from Intacct.
    await waitFor(
      'the start-up reference sync',
      async () => ((await gql<{ dimensions: unknown[] }>(`{ dimensions(kind: DEPARTMENT) { id } }`)).data?.dimensions.length ?? 0) > 0,
    );

    systems.concur.ess.endpoint = `${service!.url}/webhooks/concur`;
    const first = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [2599] });
    expect((await systems.concur.publishDocument(first)).status).toBe(200);
    await waitFor('the first document to be confirmed', async () => (await statusOf(first.id)) === 'CONFIRMED');
    expect(systems.intacct.state.glbatches.filter((b) => b.header['REFERENCENO'] === `ML-EXP-${first.id}-1`)).toHaveLength(1);
    expect(JSON.stringify(systems.concur.state.confirmations(first.id))).toContain('success');

    // Graceful stop, then a restart with the same environment: the original refresh token was consumed
    // by the rotation, so only the encrypted stored chain lets the service reach Concur again.
    expect(await stop(service!)).toBe(0);
    service = await start();
    const second = generateExpenseDocument({ employeeId: 'E1021', accountCodes: ['476000'], entryCents: [1234] });
    systems.concur.ess.endpoint = `${service.url}/webhooks/concur`;
    expect((await systems.concur.publishDocument(second)).status).toBe(200);
    await waitFor('the second document to be confirmed after the restart', async () => (await statusOf(second.id)) === 'CONFIRMED');
    expect(await statusOf(first.id)).toBe('CONFIRMED');
    const text = service.output.join('');
    expect(text).not.toContain(env.CONCUR_CLIENT_SECRET!);
    expect(text).not.toContain(env.INTACCT_USER_PASSWORD!);
  });
});
