import { CliError, type GraphqlClient } from '../graphql-client.js';
import { sleep, type CliIo } from '../io.js';
import { ProgressLine } from '../progress.js';

/** The service's ProjectionStatus type (src/graphql/types/operations.ts). */
interface ProjectionStatus {
  name: string;
  version: number;
  position: string;
  headPosition: string;
  state: string;
  rebuildProgress: number | null;
  error: string | null;
}

const FIELDS = 'name version position headPosition state rebuildProgress error';

async function projections(client: GraphqlClient): Promise<ProjectionStatus[]> {
  return (await client.request<{ projections: ProjectionStatus[] }>(`{ projections { ${FIELDS} } }`)).projections;
}

/** Rebuilds one read model, or every one in turn (one at a time: each reads the whole log). */
export async function replay(client: GraphqlClient, io: CliIo, projection: string | null): Promise<number> {
  const names = projection ? [projection] : (await projections(client)).map((p) => p.name);
  for (const name of names) await replayOne(client, io, name);
  io.out(`Rebuilt ${names.length} projection(s): ${names.join(', ')}`);
  return 0;
}

async function replayOne(client: GraphqlClient, io: CliIo, name: string): Promise<void> {
  let status = (
    await client.request<{ replayProjection: ProjectionStatus }>(`mutation($name: String!) { replayProjection(name: $name) { ${FIELDS} } }`, { name })
  ).replayProjection;
  const progress = new ProgressLine(io.err, { label: `replay ${name}`, unit: 'events' });
  // Positions are dense in the SQLite log, so progress × (head + 1) is the number of events replayed.
  const events = (s: ProjectionStatus): { done: number; total: number } => {
    const total = Number(s.headPosition) + 1;
    return { done: Math.round((s.rebuildProgress ?? 1) * total), total };
  };
  while (status.state === 'rebuilding') {
    const { done, total } = events(status);
    progress.update(done, total);
    await sleep(io.pollMs);
    const found = (await projections(client)).find((p) => p.name === name);
    if (!found) throw new CliError(`The service no longer lists projection ${name}`);
    status = found;
  }
  const { total } = events(status);
  progress.finish(total, total);
  if (status.state === 'live' && status.error)
    throw new CliError(`replay of ${name} failed: ${status.error}. The previous read model keeps serving; check the service log, then replay again`);
  if (status.state !== 'live')
    throw new CliError(
      `replay of ${name} ended ${status.state}${status.error ? `: ${status.error}` : ''}. The previous read model keeps serving; check the service log, then replay again`,
    );
  io.out(`${name}: rebuilt (version ${status.version}, position ${status.position})`);
}
