import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandboxSystems, type SandboxSystems } from '../../src/app/sandbox-systems.js';
import { seedSandboxIntacctCompany } from '../../src/app/sandbox/index.js';

/**
 * `npm start` as a user runs it outside sandbox (the setup of process.e2e.spec.ts): a separate
 * process configured only by environment variables, pointed at the Concur and Intacct simulators on
 * loopback as if they were the real systems, and the CLI as a separate process talking to it.
 */
export const ADMIN_TOKEN = 'process-admin-token-0123456789';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The run was killed at its deadline. */
  timedOut: boolean;
}

export interface ServiceProcess {
  systems: SandboxSystems;
  env: NodeJS.ProcessEnv;
  url: string;
  output: string[];
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: Array<{ message: string }> }>;
  /** `npm run cli -- <args>` against the service; killed after `timeoutMs`. */
  cli(args: string[], timeoutMs?: number): Promise<CliRun>;
  waitFor(what: string, check: () => Promise<boolean>, ms?: number): Promise<void>;
  /** The process's exit code, or null while it runs. */
  exitCode(): number | null;
  close(): Promise<void>;
}

/**
 * `options.systems`: reuse running simulators (a restart against the same Concur and Intacct); they are
 * then left running by `close()`.
 */
export async function startServiceProcess(extraEnv: Record<string, string> = {}, options: { systems?: SandboxSystems } = {}): Promise<ServiceProcess> {
  const ownSystems = !options.systems;
  const systems = options.systems ?? (await startSandboxSystems());
  if (ownSystems) seedSandboxIntacctCompany(systems.intacct.state, new Date());
  const dir = mkdtempSync(join(tmpdir(), 'ml-process-'));
  const keyFile = join(dir, 'concur-ess.pem');
  writeFileSync(keyFile, systems.concur.ess.publicKeyPem);
  const { concur, intacct } = systems.endpoints;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: '0',
    ML_SANDBOX: '0',
    ML_DATA_DIR: join(dir, 'data'),
    ML_API_TOKENS: `ops:admin:${ADMIN_TOKEN}`,
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
    ...extraEnv,
  };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
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
  } catch (error) {
    child.kill('SIGKILL');
    if (ownSystems) await systems.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const service: ServiceProcess = {
    systems,
    env,
    url,
    output,
    async gql(query, variables) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as never;
    },
    cli(args, timeoutMs = 45_000) {
      return new Promise((resolve, reject) => {
        // Only what a user would set for the CLI: where the service is and a token.
        const cliChild = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ML_URL: url, ML_TOKEN: ADMIN_TOKEN },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          cliChild.kill('SIGKILL');
        }, timeoutMs);
        cliChild.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        cliChild.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        cliChild.on('error', reject);
        cliChild.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr, timedOut });
        });
      });
    },
    async waitFor(what, check, ms = 30_000) {
      const deadline = Date.now() + ms;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output.join('').slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    exitCode: () => child.exitCode ?? (child.signalCode ? -1 : null),
    async close() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      if (ownSystems) await systems.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return service;
}
