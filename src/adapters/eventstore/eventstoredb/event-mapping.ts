import { jsonEvent, type AllStreamResolvedEvent, type JSONEventData, type ResolvedEvent } from '@eventstore/db-client';
import type { EventMetadata, NewEvent, RecordedEvent } from '../../../domain/events/envelope.js';
import { esdbEventId } from './event-id.js';
import { toJsonValue } from './json.js';
import { toPosition } from './position.js';
import { toRevisionNumber } from './revision.js';

/** What this adapter stores as an event's EventStoreDB metadata: ours plus the envelope fields ESDB lacks. */
export interface StoredMetadata extends EventMetadata {
  schemaVersion: number;
  /** Present when our id is not the stored UUID (see `esdbEventId`). */
  originalId?: string;
  /** EventStoreDB's own conventions, so its UI and projections can follow the chains. */
  $correlationId?: string;
  $causationId?: string;
}

export function toEventData(event: NewEvent): JSONEventData {
  const { uuid, originalId } = esdbEventId(event.id);
  const metadata: StoredMetadata = {
    ...event.metadata,
    schemaVersion: event.schemaVersion,
    ...(originalId === undefined ? {} : { originalId }),
    $correlationId: event.metadata.correlationId,
    ...(event.metadata.causationId === null ? {} : { $causationId: event.metadata.causationId }),
  };
  return jsonEvent({
    id: uuid,
    type: event.type,
    data: toJsonValue(event.data) as JSONEventData['data'],
    metadata: toJsonValue(metadata) as JSONEventData['metadata'],
  }) as JSONEventData;
}

/** System streams and types start with `$`; they are EventStoreDB's, never part of our log. */
export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

/**
 * A resolved event read from `$all` or a stream, as the port's RecordedEvent; null when it is not
 * one of our events (a system event, an unresolved link, or an event without a position).
 */
export function toRecordedEvent(resolved: AllStreamResolvedEvent | ResolvedEvent): RecordedEvent | null {
  const event = resolved.event;
  if (!event || isSystemEvent(event.streamId, event.type)) return null;
  const commit = event.position?.commit ?? resolved.commitPosition;
  if (commit === undefined) return null;
  const meta = parseMetadata(event.metadata);
  return {
    id: typeof meta.originalId === 'string' ? meta.originalId : event.id,
    type: event.type,
    schemaVersion: typeof meta.schemaVersion === 'number' ? meta.schemaVersion : 1,
    data: event.isJson ? event.data : { base64: Buffer.from(event.data as Uint8Array).toString('base64') },
    metadata: {
      correlationId: typeof meta.correlationId === 'string' ? meta.correlationId : event.id,
      causationId: typeof meta.causationId === 'string' ? meta.causationId : null,
      actor: typeof meta.actor === 'string' ? meta.actor : 'unknown',
      occurredAt: typeof meta.occurredAt === 'string' ? meta.occurredAt : event.created.toISOString(),
    },
    streamId: event.streamId,
    revision: toRevisionNumber(event.revision),
    position: event.position ? toPosition(event.position) : commit,
    recordedAt: event.created.toISOString(),
  };
}

function parseMetadata(raw: unknown): Partial<StoredMetadata> {
  if (raw instanceof Uint8Array) {
    try {
      return parseMetadata(JSON.parse(Buffer.from(raw).toString('utf8')));
    } catch {
      return {};
    }
  }
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Partial<StoredMetadata>) : {};
}
