import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The service's own log, as a person or a log shipper reads it: `LOG_FORMAT=pretty` gives one
 * readable line per event, JSON stays the default (stdout is a pipe here), and a misspelt variable
 * is reported at start with the name meant.
 */
async function runService(extraEnv: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ml-logfmt-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', ML_SANDBOX: '1', ML_DATA_DIR: join(dir, 'data'), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`service did not start:\n${stdout}${stderr}`)), 90_000);
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('ml-connector started')) clearTimeout(timer), resolve();
      });
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => reject(new Error(`service exited with ${code}:\n${stdout}${stderr}`)));
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  return stdout.split('\n').filter((l) => l !== '');
}

describe('the service log format', () => {
  it('LOG_FORMAT=pretty: every line is "time LEVEL message  key=value", the typo warned about first', async () => {
    const lines = await runService({ LOG_FORMAT: 'pretty', CONCUR_CLIENTID: 'typo-client' });
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line, line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO |WARN |ERROR) \S/);
    expect(lines[0]).toMatch(
      /^\S+ WARN {2}unknown variable CONCUR_CLIENTID \(did you mean CONCUR_CLIENT_ID\?\): ml-connector does not read it {2}variable=CONCUR_CLIENTID suggestion=CONCUR_CLIENT_ID$/,
    );
    // The value of the misspelt variable is never echoed.
    expect(lines.join('\n')).not.toContain('typo-client');
    expect(lines.some((l) => / INFO {2}ml-connector started: GraphQL http:\/\//.test(l))).toBe(true);
    // A document line carries its fields as key=value.
    expect(lines.some((l) => / waits for mappings: .* {2}.*actor=system:document-pipeline documentId=\S+ docType=expense .*reportName=/.test(l))).toBe(true);
  }, 120_000);

  it('JSON by default: one object per line; the typo is a warn line with variable and suggestion', async () => {
    const lines = await runService({ INTACCT_SENDERID: 'x' });
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({
      level: 'warn',
      variable: 'INTACCT_SENDERID',
      suggestion: 'INTACCT_SENDER_ID',
      msg: 'unknown variable INTACCT_SENDERID (did you mean INTACCT_SENDER_ID?): ml-connector does not read it',
    });
    expect(parsed.some((p) => String(p['msg']).startsWith('ml-connector started: GraphQL'))).toBe(true);
  }, 120_000);
});
