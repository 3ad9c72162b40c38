import { parseCommand, USAGE, UsageError, type CliCommand } from './args.js';
import { backfill } from './commands/backfill.js';
import { exportMappings, importMappings } from './commands/mappings.js';
import { replay } from './commands/replay.js';
import { retry } from './commands/retry.js';
import { list, report, show } from './commands/documents.js';
import { sync } from './commands/sync.js';
import { CliError, GraphqlClient, serviceTarget } from './graphql-client.js';
import type { CliIo } from './io.js';

/** Runs one command; returns the exit code. Known failures print one `error:` line on stderr. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const command = parseCommand(argv);
    return await dispatch(command, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof CliError) {
      io.err.write(`${io.err.isTTY ? '\n' : ''}error: ${error.message}\n`);
      if (error instanceof UsageError && error.unknownCommand) io.err.write(`\n${USAGE}`);
      return 1;
    }
    throw error;
  }
}

async function dispatch(command: CliCommand, io: CliIo): Promise<number> {
  switch (command.name) {
    case 'help':
      io.out(USAGE.trimEnd());
      return 0;
    case 'ping': {
      // Loaded only here: it pulls in both adapters and the simulators, which other commands never need.
      const { ping } = await import('./commands/ping.js');
      return ping(io);
    }
    default: {
      const client = new GraphqlClient(serviceTarget(io.env));
      switch (command.name) {
        case 'backfill':
          return backfill(client, io, command);
        case 'replay':
          return replay(client, io, command.projection);
        case 'sync':
          return sync(client, io, command.kinds, command.full);
        case 'mappings-import':
          return importMappings(client, io, command.file, command);
        case 'mappings-export':
          return exportMappings(client, io, command.out);
        case 'retry':
          return retry(client, io, command);
        case 'list':
          return list(client, io, command);
        case 'show':
          return show(client, io, command.id);
        case 'report':
          return report(client, io, command);
      }
    }
  }
}
