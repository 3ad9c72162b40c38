/**
 * The client serialises event data with `JSON.stringify`, which throws on `bigint`. Positions and
 * revisions are bigints in this code base, so a value may carry one: it is stored as its decimal
 * string (exact; money is never a float here either) and comes back as that string.
 */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** A deep copy of `value` that `JSON.stringify` accepts, bigints as decimal strings. */
export function toJsonValue<T>(value: T): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value, bigintReplacer)) as unknown;
}
