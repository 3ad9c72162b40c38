import { readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeDiffEntry, type MappingDiffEntry } from '../../domain/mapping/diff.js';
import { CliError, type GraphqlClient } from '../graphql-client.js';
import type { CliIo } from '../io.js';

/** The service's GraphQL body limit (docs/graphql.md, Limits). */
const MAX_REQUEST_BYTES = 1024 * 1024;

interface Note {
  message: string;
}

interface ImportAnswer {
  revision: number;
  actor: string;
  reason: string;
  changed: boolean;
  dryRun: boolean;
  message: string;
  diff: Array<Omit<MappingDiffEntry, 'change'> & { change: 'ADDED' | 'CHANGED' | 'REMOVED' }>;
  unchecked: Note[];
  forced: Note[];
}

const IMPORT = `mutation($json: String!, $mode: MappingImportMode, $dryRun: Boolean, $reason: String, $force: Boolean) {
  importMappings(json: $json, mode: $mode, dryRun: $dryRun, reason: $reason, force: $force) {
    revision actor reason changed dryRun message
    diff { change section key oldValue newValue }
    unchecked { message }
    forced { message }
  }
}`;

/**
 * A path as the user typed it: `npm run` starts scripts in the package root, and says in INIT_CWD
 * where the user was, so `npm run cli -- mappings import m.json` from a subdirectory finds m.json there.
 */
export const userPath = (io: CliIo, file: string): string => resolve(io.env['INIT_CWD'] || process.cwd(), file);

export interface ImportOptions {
  reason: string | null;
  replace: boolean;
  dryRun: boolean;
  force: boolean;
}

export async function importMappings(client: GraphqlClient, io: CliIo, file: string, options: ImportOptions): Promise<number> {
  let json: string;
  try {
    json = await readFile(userPath(io, file), 'utf8');
  } catch (error) {
    throw new CliError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Pass the path of a mapping set JSON file (as written by mappings export)`,
    );
  }
  // Checked here as well so the message names the file and the line rather than "json".
  try {
    JSON.parse(json);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON (${(error as Error).message}); fix it and import again`);
  }
  const mode = options.replace ? 'replace' : 'merge';
  let answer: ImportAnswer;
  try {
    ({ importMappings: answer } = await client.request<{ importMappings: ImportAnswer }>(IMPORT, {
      json,
      mode: options.replace ? 'REPLACE' : 'MERGE',
      dryRun: options.dryRun,
      reason: options.reason ?? `imported from ${file} with the CLI`,
      force: options.force,
    }));
  } catch (error) {
    // The service refuses request bodies above 1 MiB, often by closing the connection mid-upload,
    // which would otherwise read as "service not running".
    const bytes = Buffer.byteLength(json);
    if (error instanceof CliError && bytes > MAX_REQUEST_BYTES)
      throw new CliError(`${file} is ${bytes} bytes, more than the 1 MiB the service accepts in one request (${error.message})`);
    throw error;
  }
  if (answer.dryRun) io.out(`Dry run of ${file} (${mode}): ${answer.message.replace(/^Dry run: /, '')}`);
  else if (!answer.changed)
    io.out(`${file} (${mode}): no changes, the mapping set already holds it; nothing was recorded (mapping revision ${answer.revision}).`);
  else
    io.out(
      `Imported ${file} (${mode}): mapping revision ${answer.revision} (by ${answer.actor}, reason: ${answer.reason}). Waiting documents are re-evaluated.`,
    );
  for (const entry of answer.diff) io.out(`  ${describeDiffEntry({ ...entry, change: entry.change.toLowerCase() as MappingDiffEntry['change'] })}`);
  for (const note of answer.forced) io.out(`  forced: ${note.message}`);
  for (const note of answer.unchecked) io.out(`  not checked: ${note.message}`);
  return 0;
}

/**
 * Only the JSON goes to stdout, so `mappings export > mappings.json` gives a file ready to import
 * (the project's .npmrc keeps npm's own script banner off stdout). `--out` writes the file instead,
 * through a temporary file so an interrupted export never leaves half a mapping set behind.
 */
export async function exportMappings(client: GraphqlClient, io: CliIo, out: string | null): Promise<number> {
  const { mappings } = await client.request<{ mappings: { json: string; revision: number } }>('{ mappings { json revision } }');
  const text = `${JSON.stringify(JSON.parse(mappings.json), null, 2)}\n`;
  if (out === null) {
    io.out(text.trimEnd());
  } else {
    const target = userPath(io, out);
    const temporary = `${target}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, text, 'utf8');
      await rename(temporary, target);
    } catch (error) {
      throw new CliError(
        `Cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check the directory exists and is writable`,
      );
    }
    io.err.write(`wrote ${out}\n`);
  }
  io.err.write(`mapping set at revision ${mappings.revision}\n`);
  return 0;
}
