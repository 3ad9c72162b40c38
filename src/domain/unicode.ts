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
      if (next >= 0xdc00 && next <= 0xdfff) (n--, i++);
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
  if (codePoints(text) <= max && !trimEnd) return text;
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
