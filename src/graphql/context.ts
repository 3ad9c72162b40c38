import type { ConnectorApi } from '../application/connector-api.js';
import type { RecordedEvent } from '../domain/events/envelope.js';
import type { Principal } from './auth.js';

/** Per-request context: the caller, the application facade, and a cache so each stream is read once. */
export interface GraphqlContext {
  api: ConnectorApi;
  principal: Principal;
  /** Values that must never appear in output (configured credentials). */
  secrets: readonly string[];
  timelines: Map<string, Promise<RecordedEvent[]>>;
  /** The service runs against the sandbox simulators (`me.sandbox`). */
  sandbox?: boolean;
}

export function timelineOf(ctx: GraphqlContext, postingId: string): Promise<RecordedEvent[]> {
  let cached = ctx.timelines.get(postingId);
  if (!cached) {
    cached = ctx.api.timeline(postingId);
    ctx.timelines.set(postingId, cached);
  }
  return cached;
}
