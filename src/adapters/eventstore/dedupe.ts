import type { NewEvent } from '../../domain/events/envelope.js';

/** The events of one append without repeated ids (a repeated id within one append counts once). */
export function dedupe(events: readonly NewEvent[]): NewEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
}
