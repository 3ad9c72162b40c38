/**
 * Amounts in the document's currency format (Intl, so JPY shows no decimals) and dates in the
 * browser's locale with the time zone shown. Sums are exact: decimal strings as integer units.
 */
const money = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: string | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  if (!currency) return amount;
  let f = money.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    } catch {
      return `${amount} ${currency}`;
    }
    money.set(currency, f);
  }
  // Intl formats decimal strings exactly (no float rounding of large amounts).
  return f.format(amount as unknown as number);
}

// dateStyle/timeStyle cannot be combined with timeZoneName: the parts are named one by one.
const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const hourOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export const formatDateTime = (iso: string | null | undefined): string => (iso ? dateTime.format(new Date(iso)) : '—');
/** A calendar date (YYYY-MM-DD, no zone) in the locale's format. */
export const formatDate = (day: string | null | undefined): string => (day ? dateOnly.format(new Date(`${day}T00:00:00Z`)) : '—');
export const formatHour = (iso: string): string => hourOnly.format(new Date(iso));
export const timeZoneName = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function formatAge(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** Exact decimal sums: "12.34" -> 1234n at scale 2. */
export function toUnits(amount: string, scale: number): bigint {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  const units = BigInt(`${whole}${fraction.padEnd(scale, '0').slice(0, scale)}` || '0');
  return negative ? -units : units;
}

export function fromUnits(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

export const scaleOf = (amounts: readonly string[]): number => Math.max(0, ...amounts.map((a) => (a.split('.')[1] ?? '').length));

/** Indents XML one element per line for reading (the text is shown, never parsed as HTML). */
export function prettyXml(xml: string): string {
  const tokens = xml
    .replace(/>\s+</g, '><')
    .split(/(?=<)|(?<=>)/)
    .filter((t) => t !== '');
  let depth = 0;
  const lines: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.startsWith('</')) {
      depth = Math.max(0, depth - 1);
      lines.push(`${'  '.repeat(depth)}${t}`);
    } else if (t.startsWith('<?') || t.startsWith('<!') || t.endsWith('/>')) {
      lines.push(`${'  '.repeat(depth)}${t}`);
    } else if (t.startsWith('<')) {
      const text = tokens[i + 1];
      const close = tokens[i + 2];
      if (text !== undefined && !text.startsWith('<') && close?.startsWith('</')) {
        lines.push(`${'  '.repeat(depth)}${t}${text}${close}`);
        i += 2;
      } else {
        lines.push(`${'  '.repeat(depth)}${t}`);
        depth++;
      }
    } else lines.push(`${'  '.repeat(depth)}${t}`);
  }
  return lines.join('\n');
}

/** Offers text as a file download (a Blob URL of this page: nothing is sent anywhere). */
export function download(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Local midnight today and on the 1st of this month, as ISO instants (for "today" and "this month"). */
export function localPeriodStarts(now = new Date()): { dayStart: string; monthStart: string } {
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const month = new Date(now.getFullYear(), now.getMonth(), 1);
  return { dayStart: day.toISOString(), monthStart: month.toISOString() };
}

export const isoDay = (d: Date): string => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
