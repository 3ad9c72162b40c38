/**
 * Well-formed UTF-16: no lone surrogate. A JSON document may carry one (a `\ud83d` escape without its
 * pair), and a cut by code unit makes one; neither may reach Intacct, an event or a GraphQL answer.
 * (String.prototype.isWellFormed / toWellFormed are ES2024; the project's lib is ES2022.)
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** True when `text` holds no lone surrogate (String.prototype.isWellFormed, ES2024). */
export function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false;
    const next = text.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/** `text` with every lone surrogate replaced by U+FFFD (String.prototype.toWellFormed, ES2024). */
export function toWellFormed(text: string): string {
  return isWellFormed(text) ? text : text.replace(LONE_SURROGATE, '\ufffd');
}

// `\uD800`…`\uDFFF` escapes that JSON.stringify wrote for lone surrogates (ES2019 "well-formed
// JSON.stringify": a surrogate pair is written as the character itself, so every such escape is a
// lone one), when the backslash is not itself escaped.
const LONE_SURROGATE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}/g;

/** JSON.stringify whose output never carries a lone surrogate: each becomes U+FFFD, like `toWellFormed`. */
export function wellFormedJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined || !/\\u[dD][89a-fA-F]/.test(json)) return json;
  return json.replace(LONE_SURROGATE_ESCAPE, '$1\\ufffd');
}

/** Length in code points (a lone surrogate counts as one). */
export function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) n--, i++;
    }
  }
  return n;
}

let graphemes: Intl.Segmenter | null = null;
const WHITESPACE_ONLY = /^\s+$/;

/**
 * The longest start of `text` of at most `max` code points that ends on a grapheme boundary: never
 * between a base character and its combining marks, never inside a surrogate pair or an emoji
 * sequence. `trimEnd` also drops the whole clusters of whitespace it would end with (a cluster, not
 * a code unit: a prepended mark and the space it holds stay together).
 */
export function cutAtGrapheme(text: string, max: number, trimEnd = false): string {
  if (!trimEnd && codePoints(text) <= max) return text;
  const fast = asciiCut(text, max, trimEnd);
  if (fast !== null) return fast;
  graphemes ??= new Intl.Segmenter('und', { granularity: 'grapheme' });
  const kept: string[] = [];
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = codePoints(segment);
    if (used + size > max) break;
    kept.push(segment);
    used += size;
  }
  if (trimEnd) while (kept.length > 0 && WHITESPACE_ONLY.test(kept[kept.length - 1]!)) kept.pop();
  return kept.join('');
}

const isAsciiPrintable = (c: number): boolean => c >= 0x21 && c <= 0x7e;

/**
 * The same cut without segmenting, when the text around it is ASCII: between two printable ASCII
 * characters (or at the end of the text after one) there is always a grapheme boundary (no ASCII
 * character extends, joins or is prepended), and a run of ASCII spaces after a printable ASCII
 * character is clusters of whitespace alone. `null` when that does not hold: the segmenter decides.
 * Memos and titles are mostly ASCII; segmenting each one that is cut showed in the posting benchmark.
 */
function asciiCut(text: string, max: number, trimEnd: boolean): string | null {
  let end = 0;
  for (let n = 0; n < max && end < text.length; n++) {
    const c = text.charCodeAt(end);
    end += c >= 0xd800 && c <= 0xdbff && end + 1 < text.length && text.charCodeAt(end + 1) >= 0xdc00 && text.charCodeAt(end + 1) <= 0xdfff ? 2 : 1;
  }
  if (end < text.length) {
    const next = text.charCodeAt(end);
    if (!(isAsciiPrintable(next) || next === 0x20)) return null;
  }
  let cut = end;
  if (trimEnd) while (cut > 0 && text.charCodeAt(cut - 1) === 0x20) cut--;
  if (cut === 0) return end === 0 || text.charCodeAt(0) === 0x20 ? '' : null;
  return isAsciiPrintable(text.charCodeAt(cut - 1)) ? text.slice(0, cut) : null;
}
