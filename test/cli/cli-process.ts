import { spawn } from 'node:child_process';

/** One run: exit code and what it wrote. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A program run from the repository root with a clean environment (no credentials or ML_* of the
 * developer's shell leak into the run) plus `env`.
 */
function run(command: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: process.cwd(),
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The CLI as a user runs it: a separate node process. */
export const runCliProcess = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], env);

/** A shell command line as a user types it, from the repository root (where `npm run` finds package.json). */
export const runShell = (line: string, env: Record<string, string> = {}): Promise<CliRun> => run('/bin/sh', ['-c', line], env);
