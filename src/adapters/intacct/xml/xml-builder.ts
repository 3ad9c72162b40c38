/**
 * The only way request XML is built: values are always escaped, nested elements are `XmlFragment`s
 * produced by `el`, so a raw string can never slip into the document unescaped.
 */
import { toWellFormed } from '../../../domain/unicode.js';

export class XmlFragment {
  constructor(readonly xml: string) {}
}

export type XmlChild = XmlFragment | string | null | undefined | false;

// XML 1.0 forbids most control characters; Intacct rejects the whole request on one, so drop them.
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const NEEDS_ESCAPE = /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(value: string): string {
  // Most values (ids, amounts, dates) need nothing: skip the rewrite for them.
  if (!NEEDS_ESCAPE.test(value)) return value;
  // A lone surrogate is no XML character either: U+FFFD, as the UTF-8 encoder would make it anyway.
  return toWellFormed(value)
    .replace(INVALID_XML_CHARS, '')
    .replace(/[&<>"']/g, (c) => ENTITY[c]!);
}

/** `<name attr="v">children</name>`; a string child is escaped text, absent children give `<name/>`. */
export function el(name: string, children?: XmlChild | readonly XmlChild[], attrs?: Record<string, string>): XmlFragment {
  const attrText = attrs
    ? Object.entries(attrs)
        .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
        .join('')
    : '';
  const list = children === undefined ? [] : Array.isArray(children) ? children : [children];
  const inner = (list as readonly XmlChild[]).map((c) => (c instanceof XmlFragment ? c.xml : typeof c === 'string' ? escapeXml(c) : '')).join('');
  return new XmlFragment(inner === '' && children === undefined ? `<${name}${attrText}/>` : `<${name}${attrText}>${inner}</${name}>`);
}

/** Elements for each defined, non-empty value of a record, in the record's key order. */
export function fields(record: Record<string, string | null | undefined>): XmlFragment[] {
  return Object.entries(record)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
    .map(([k, v]) => el(k, v));
}
