import { ensureConsoleBuilt } from '../../scripts/console/build.js';

/** The console tests load the built assets: build them once per run when the sources changed. */
export default async function setup(): Promise<void> {
  const started = Date.now();
  const { built } = await ensureConsoleBuilt({ quiet: true });
  if (built) process.stderr.write(`console-build-global-setup: operator console built in ${Date.now() - started} ms\n`);
}
