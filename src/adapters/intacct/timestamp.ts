/**
 * Intacct's `WHENMODIFIED` / `WHENCREATED` timestamps: `mm/dd/yyyy hh:mm:ss`, whole seconds. Intacct
 * writes them in the company's time zone; ml-connector ASSUMES they are UTC/GMT as the API returns them
 * for an API user whose preferences are GMT (not verified against a live company: see
 * docs/reference-sync.md). Incremental reads send back a mark taken from Intacct's own values, so a
 * different zone only mislabels the ISO mark (and a daylight-saving repeated hour may hide a change
 * until the periodic full read).
 */
const PATTERN = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$/;

/** Milliseconds since the epoch, or null when `text` is no Intacct timestamp. */
export function parseIntacctTimestamp(text: string | undefined): number | null {
  const m = PATTERN.exec(text ?? '');
  if (!m) return null;
  const [, mm, dd, yyyy, hh = '0', mi = '0', ss = '0'] = m;
  const ms = Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd), Number(hh), Number(mi), Number(ss));
  return Number.isFinite(ms) ? ms : null;
}

/** `mm/dd/yyyy hh:mm:ss` (UTC) of a time; sub-second parts are dropped. */
export function formatIntacctTimestamp(at: number | Date): string {
  const d = new Date(typeof at === 'number' ? at : at.getTime());
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}
