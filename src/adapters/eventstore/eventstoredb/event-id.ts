import { deterministicEventId } from '../../../domain/events/envelope.js';

const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ESDB_ID_NAMESPACE = 'ml-connector:eventstoredb-event-id';

export interface EsdbEventId {
  /** The UUID stored as EventStoreDB's event id (its idempotency key). */
  uuid: string;
  /** Our id when it is not already that UUID; kept in the metadata so reads give it back unchanged. */
  originalId?: string;
}

/**
 * EventStoreDB event ids must be UUIDs and come back lower-cased. Our ids from `newEvent` and
 * `deterministicEventId` already are; any other id maps to a UUID v5 derived from it, so the same id
 * always maps to the same UUID and a retried append is still recognised.
 */
export function esdbEventId(id: string): EsdbEventId {
  if (LOWERCASE_UUID.test(id)) return { uuid: id };
  const lower = id.toLowerCase();
  return { uuid: LOWERCASE_UUID.test(lower) ? lower : deterministicEventId(ESDB_ID_NAMESPACE, id), originalId: id };
}
