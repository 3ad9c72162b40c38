import { readFile } from 'node:fs/promises';
import { CliError, type GraphqlClient } from '../graphql-client.js';
import type { CliIo } from '../io.js';

/** The service's GraphQL body limit (docs/graphql.md, Limits). */
const MAX_REQUEST_BYTES = 1024 * 1024;

export async function importMappings(client: GraphqlClient, io: CliIo, file: string, reason: string | null): Promise<number> {
  let json: string;
  try {
    json = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Pass the path of a mapping set JSON file (as written by mappings export)`);
  }
  // Checked here as well so the message names the file and the line rather than "json".
  try {
    JSON.parse(json);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON (${(error as Error).message}); fix it and import again`);
  }
  let change: { revision: number; actor: string; reason: string };
  try {
    ({ importMappings: change } = await client.request<{ importMappings: typeof change }>(
      'mutation($json: String!, $reason: String) { importMappings(json: $json, reason: $reason) { revision actor reason } }',
      { json, reason: reason ?? `imported from ${file} with the CLI` },
    ));
  } catch (error) {
    // The service refuses request bodies above 1 MiB, often by closing the connection mid-upload,
    // which would otherwise read as "service not running".
    const bytes = Buffer.byteLength(json);
    if (error instanceof CliError && bytes > MAX_REQUEST_BYTES) throw new CliError(`${file} is ${bytes} bytes, more than the 1 MiB the service accepts in one request (${error.message})`);
    throw error;
  }
  io.out(`Imported ${file}: mapping revision ${change.revision} (by ${change.actor}, reason: ${change.reason}). Waiting documents are re-evaluated.`);
  return 0;
}

/** Only the JSON goes to stdout, so `mappings export > mappings.json` gives a file ready to import. */
export async function exportMappings(client: GraphqlClient, io: CliIo): Promise<number> {
  const { mappings } = await client.request<{ mappings: { json: string; revision: number } }>('{ mappings { json revision } }');
  io.out(JSON.stringify(JSON.parse(mappings.json), null, 2));
  io.err.write(`mapping set at revision ${mappings.revision}\n`);
  return 0;
}
