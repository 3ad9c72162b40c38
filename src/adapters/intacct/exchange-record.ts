import type { PostingExchange } from '../../domain/document/events.js';

/** One HTTP round trip with the gateway, as the client saw it; secrets already redacted. */
export interface RawExchange {
  /** The whole request body. */
  request: string;
  /** The whole answer body; null when none came or it cannot count as one (HTTP 504/524). */
  response: string | null;
  httpStatus: number | null;
  /** Why `response` is null. */
  reason: string | null;
  sentAt: string;
  durationMs: number;
}

export const REDACTED = '[REDACTED]';
/** Per side: a 25-document request is far below this; a pathological answer must not bloat the stream. */
export const MAX_EXCHANGE_BYTES = 64 * 1024;

// `<password>` carries both the sender password (control) and the user password (login).
const SECRET_ELEMENTS = /(<(password|sessionid)(?:\s[^>]*)?>)[\s\S]*?(<\/\2\s*>)/gi;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Blanks credential elements, then every known secret value wherever else it appears (an error text
 * echoing a session id). Values shorter than 6 characters are only blanked inside their elements:
 * replacing them everywhere would mangle the XML they are meant to be hidden in.
 */
export function redactGatewayXml(xml: string, secrets: readonly string[]): string {
  let out = xml.replace(SECRET_ELEMENTS, `$1${REDACTED}$3`);
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    for (const form of new Set([secret, secret.replace(/[&<>"']/g, (c) => ENTITY[c]!)])) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

const decode = (text: string): string =>
  text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name]!);

// Values are escaped in both directions, so `</function>` / `</result>` cannot occur inside a block.
const FUNCTION_BLOCK = /<function\b([^>]*)>[\s\S]*?<\/function>/g;
const RESULT_BLOCK = /<result\b[^>]*>[\s\S]*?<\/result>/g;

/**
 * The document with every `<function>` (request) or `<result>` (response) block removed except the
 * one whose controlid is `controlId`; a comment says how many others were left out.
 */
export function excerptFor(xml: string, kind: 'request' | 'response', controlId: string): string {
  const pattern = kind === 'request' ? FUNCTION_BLOCK : RESULT_BLOCK;
  const idOf = (block: RegExpMatchArray): string | null => {
    const m = kind === 'request' ? /\bcontrolid\s*=\s*"([^"]*)"/.exec(block[1] ?? '') : /<controlid>([^<]*)<\/controlid>/.exec(block[0]);
    return m ? decode(m[1]!) : null;
  };
  let out = '';
  let from = 0;
  let omitted = 0;
  let notePlaced = false;
  const blocks = [...xml.matchAll(pattern)];
  for (const block of blocks) {
    out += xml.slice(from, block.index);
    from = block.index! + block[0].length;
    if (idOf(block) === controlId) {
      out += block[0];
      continue;
    }
    omitted++;
    if (!notePlaced) {
      out += '<!--OMITTED-->';
      notePlaced = true;
    }
  }
  out += xml.slice(from);
  const what = kind === 'request' ? 'function' : 'result';
  return out.replace('<!--OMITTED-->', `<!-- ${omitted} ${what}${omitted === 1 ? '' : 's'} of other documents in this request left out -->`);
}

/** Cuts at `maxBytes` of UTF-8 (never inside a character) and says so. */
export function capXml(text: string, maxBytes = MAX_EXCHANGE_BYTES): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const kept = bytes
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return `${kept}\n<!-- truncated by ml-connector: ${Buffer.byteLength(kept)} of ${bytes.length} bytes kept -->`;
}

/** What one document's outcome event records of a shared round trip. */
export function documentExchange(raw: RawExchange, controlId: string, maxBytes = MAX_EXCHANGE_BYTES): PostingExchange {
  return {
    request: capXml(excerptFor(raw.request, 'request', controlId), maxBytes),
    response: raw.response === null ? null : capXml(excerptFor(raw.response, 'response', controlId), maxBytes),
    sentAt: raw.sentAt,
    durationMs: raw.durationMs,
    ...(raw.response === null ? { reason: raw.reason ?? 'no answer was received' } : {}),
  };
}
