import { createHash, randomUUID } from 'node:crypto';

/** Who or what caused an event: `user:<name>`, `system:<component>`, `concur:<channel>`. */
export type Actor = string;

export interface EventMetadata {
  /** Ties together every event caused by one inbound fact (e.g. one Concur notification). */
  correlationId: string;
  /** The id of the event (or request) that directly caused this one; null for a first cause. */
  causationId: string | null;
  actor: Actor;
  /** ISO-8601 UTC timestamp of when the fact happened (not when it was stored). */
  occurredAt: string;
}

/** An event about to be appended. `id` is globally unique: appending a stored id again is a no-op. */
export interface NewEvent<TType extends string = string, TData = unknown> {
  id: string;
  type: TType;
  schemaVersion: number;
  data: TData;
  metadata: EventMetadata;
}

/** An event as read back from the store. */
export interface RecordedEvent<TType extends string = string, TData = unknown> extends NewEvent<TType, TData> {
  streamId: string;
  /** 0-based position of the event within its stream. */
  revision: number;
  /** Position in the global log; strictly increasing, readers never skip one. */
  position: bigint;
  /** ISO-8601 UTC timestamp of when the store recorded it. */
  recordedAt: string;
}

export interface EventOptions {
  /** Deterministic id (for de-duplication); a random UUID when absent. */
  id?: string;
  schemaVersion?: number;
  correlationId?: string;
  causationId?: string | null;
  actor: Actor;
  occurredAt?: string | Date;
}

export function newEvent<TType extends string, TData>(type: TType, data: TData, options: EventOptions): NewEvent<TType, TData> {
  const id = options.id ?? randomUUID();
  const occurredAt = options.occurredAt instanceof Date ? options.occurredAt.toISOString() : (options.occurredAt ?? new Date().toISOString());
  return {
    id,
    type,
    schemaVersion: options.schemaVersion ?? 1,
    data,
    metadata: {
      correlationId: options.correlationId ?? id,
      causationId: options.causationId ?? null,
      actor: options.actor,
      occurredAt,
    },
  };
}

/** Metadata for an event caused by `cause`: same correlation, causation = cause's id. */
export function causedBy(cause: Pick<NewEvent, 'id' | 'metadata'>, actor: Actor, occurredAt?: string | Date): Omit<EventOptions, 'id'> {
  return { correlationId: cause.metadata.correlationId, causationId: cause.id, actor, occurredAt };
}

/**
 * A UUID-shaped id derived from a name (RFC 4122 v5 layout over SHA-1). Used wherever the same
 * outside fact must always map to the same event id (a Concur notification id, a posting key),
 * so that a redelivery appends nothing.
 */
export function deterministicEventId(namespace: string, name: string): string {
  const hash = createHash('sha1').update(namespace).update('\u0000').update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A type guard for one family of events, from its map of type name to data: `const isMappingEvent =
 * eventGuard<MappingEventMap>(); if (isMappingEvent(e, 'MappingChanged')) e.data.section` — typed reads
 * instead of `e.data as X` casts.
 */
export function eventGuard<DataByType>() {
  return <K extends keyof DataByType & string, E extends { type: string; data: unknown }>(event: E, type: K): event is E & { type: K; data: DataByType[K] } =>
    event.type === type;
}
