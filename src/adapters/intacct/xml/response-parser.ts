import { IntacctAuthenticationError, IntacctControlError, IntacctHttpError, IntacctUnreadableResponseError, type IntacctErrorDetail } from '../errors.js';

export type XmlValue = string | XmlRecord | XmlValue[];
export interface XmlRecord {
  [key: string]: XmlValue;
}

export interface ResultData {
  listType: string | null;
  count: string | null;
  totalCount: string | null;
  numRemaining: string | null;
  resultId: string | null;
  /** Each row with the element name it came in (`glbatch`, `api`, `GLACCOUNT`…). */
  rows: { object: string; fields: XmlRecord }[];
}

export interface FunctionResult {
  /** `success`, `failure` or `aborted` (another function of a transaction failed). */
  status: string;
  function: string;
  controlId: string;
  data: ResultData | null;
  key: string | null;
  errors: IntacctErrorDetail[];
}

export interface AuthenticationBlock {
  status: string;
  userId: string | null;
  companyId: string | null;
  locationId: string | null;
  /** ISO timestamp after which the session is no longer valid (moves forward on every call). */
  sessionTimeout: string | null;
}

export interface GatewayResponse {
  controlId: string | null;
  authentication: AuthenticationBlock | null;
  results: FunctionResult[];
}

/**
 * One pass over the text: a small tokenizer for the XML subset Intacct sends (elements, attributes,
 * text, CDATA, comments, processing instructions and the XML declaration) that builds the plain
 * records directly, in the shape fast-xml-parser gave them before (`@_` attributes, `#text`, repeated
 * elements as lists, empty elements as ''), with the lists of ARRAY_PATHS and data rows always lists.
 * There is no DTD support at all: a DOCTYPE or ENTITY declaration anywhere is refused, and only the
 * five predefined entities and numeric character references are decoded (any other well-formed
 * reference such as `&nbsp;` stays literal text, as before).
 */
const ARRAY_PATHS = new Set([
  'response.errormessage.error',
  'response.operation.errormessage.error',
  'response.operation.result',
  'response.operation.result.errormessage.error',
]);
const DATA_ROW_PREFIX = 'response.operation.result.data.';
const MAX_NESTED_TAGS = 100;
const DECLARATION = /<!DOCTYPE|<!ENTITY/i;
const DECLARATION_REFUSED = 'a DOCTYPE or entity declaration is not accepted';
/** Tag names that would reach the prototype of a plain object are refused; these are kept under another name. */
const CRITICAL_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const RENAMED = new Map(
  ['hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__'].map((n) => [n, `__${n}`]),
);
const NAME_START =
  ':A-Za-z_\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
const NAME = new RegExp(`^[${NAME_START}][${NAME_START}\\-.\\d\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*$`);

class XmlSyntaxError extends Error {}
function fail(message: string): never {
  throw new XmlSyntaxError(message);
}

function isArrayPath(path: string): boolean {
  if (path.length > DATA_ROW_PREFIX.length && path.startsWith(DATA_ROW_PREFIX)) return path.indexOf('.', DATA_ROW_PREFIX.length) === -1;
  return ARRAY_PATHS.has(path);
}

/**
 * Where an element is, as far as the list paths care: the paths that are a dot-aligned prefix of one
 * of them (a path that is not cannot lead to one, since every name adds a dot), with their children.
 */
interface PathState {
  path: string;
  next: Map<string, PathState>;
}
const PATH_STATES = new Map<string, PathState>();
const DOCUMENT: PathState = { path: '', next: new Map() };
for (const target of [...ARRAY_PATHS, DATA_ROW_PREFIX.slice(0, -1)]) {
  let state = DOCUMENT;
  for (const name of target.split('.')) {
    const path = state === DOCUMENT ? name : `${state.path}.${name}`;
    let child = state.next.get(name);
    if (!child) {
      child = { path, next: new Map() };
      state.next.set(name, child);
      PATH_STATES.set(path, child);
    }
    state = child;
  }
}

/** The state of a child, and whether its first occurrence is kept as a list. */
function childPath(parent: PathState | null, key: string): { state: PathState | null; array: boolean } {
  if (parent === null) return NO_PATH;
  if (key.includes('.')) {
    // A dotted name spans several steps of a path: back to strings.
    const path = parent === DOCUMENT ? key : `${parent.path}.${key}`;
    return { state: PATH_STATES.get(path) ?? null, array: isArrayPath(path) };
  }
  const state = parent.next.get(key) ?? null;
  if (state === null) return parent === DATA_STATE ? DATA_ROW : NO_PATH;
  return { state, array: ARRAY_PATHS.has(state.path) };
}
const NO_PATH = { state: null, array: false };
const DATA_ROW = { state: null, array: true };
const DATA_STATE = PATH_STATES.get(DATA_ROW_PREFIX.slice(0, -1))!;

const isWs = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;
/** Ends a tag or attribute name: whitespace, `>`, `/`, `=`. */
const endsName = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13 || c === 62 || c === 47 || c === 61;

function checkName(name: string): void {
  if (name.length === 0) fail('a tag or attribute name is missing');
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || (k > 0 && ((c >= 48 && c <= 57) || c === 45 || c === 46));
    if (!ok) {
      if (c < 128 || !NAME.test(name)) fail(`'${name}' is not a valid name`);
      return;
    }
  }
}

function tagKey(name: string): string {
  const c = name.charCodeAt(0);
  if (c !== 95 && c !== 99 && c !== 112 && c !== 104 && c !== 116 && c !== 118) return name;
  if (CRITICAL_NAMES.has(name)) fail(`the tag name '${name}' is not accepted`);
  return RENAMED.get(name) ?? name;
}

/** The references the validator accepted before: `&#digits;`, `&#xhex;` (digits may be absent) and `&name;` of 1-20 word characters. */
function checkReferences(segment: string): void {
  let k = segment.indexOf('&');
  while (k !== -1) {
    let j = k + 1;
    const n = segment.length;
    if (segment.charCodeAt(j) === 35) {
      j++;
      if (segment.charCodeAt(j) === 120) {
        j++;
        for (let c = segment.charCodeAt(j); j < n && ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)); c = segment.charCodeAt(++j));
      } else for (let c = segment.charCodeAt(j); j < n && c >= 48 && c <= 57; c = segment.charCodeAt(++j));
    } else {
      const first = j;
      for (
        let c = segment.charCodeAt(j);
        j < n && j - first < 20 && ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95);
        c = segment.charCodeAt(++j)
      );
      if (j === first) fail("char '&' is not expected");
    }
    if (segment.charCodeAt(j) !== 59) fail("char '&' is not expected");
    k = segment.indexOf('&', j + 1);
  }
}

// Only the five predefined entities and numeric character references are decoded.
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!(code <= 0x10ffff)) fail(`&${ref}; is not a character`);
      return String.fromCodePoint(code);
    }
    return PREDEFINED[ref]!;
  });
}

function refuseDeclaration(content: string): void {
  if (content.includes('<!') && DECLARATION.test(content)) fail(DECLARATION_REFUSED);
}

interface Frame {
  /** The name as written, for the closing tag. */
  raw: string;
  key: string;
  state: PathState | null;
  array: boolean;
  children: XmlRecord | null;
  attrs: XmlRecord | null;
  text: string | undefined;
  /** Text read since the last element, CDATA or processing instruction (comments do not end it). */
  pending: string;
}

function flush(f: Frame): void {
  if (f.pending === '') return;
  const t = f.pending.trim();
  f.pending = '';
  if (t === '') return;
  const v = decodeEntities(t);
  f.text = f.text === undefined ? v : f.text + v;
}

function elementValue(f: Frame): XmlValue {
  if (f.attrs !== null) {
    const v = f.children ?? {};
    if (f.text) v['#text'] = f.text;
    for (const k in f.attrs) v[k] = f.attrs[k]!;
    return v;
  }
  if (f.children !== null) {
    if (f.text) f.children['#text'] = f.text;
    return f.children;
  }
  return f.text ?? '';
}

function addTo(parent: XmlRecord, key: string, value: XmlValue, array: boolean): void {
  if (Object.hasOwn(parent, key)) {
    const current = parent[key]!;
    if (Array.isArray(current)) current.push(value);
    else parent[key] = [current, value];
  } else parent[key] = array ? [value] : value;
}

function tokenize(input: string): XmlRecord {
  const xml = input.includes('\r') ? input.replace(/\r\n?/g, '\n') : input;
  const n = xml.length;
  const doc: XmlRecord = {};
  const stack: Frame[] = [];
  let top: Frame | null = null;
  let rootDone = false;
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const start = i;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const end = lt === -1 ? n : lt;
    if (end > i) {
      let k = i;
      while (k < end && isWs(xml.charCodeAt(k))) k++;
      if (k < end) {
        if (top === null) fail(rootDone ? 'extra text at the end' : 'text before the root element');
        const segment = xml.slice(i, end);
        if (segment.includes('&')) checkReferences(segment);
        top.pending += segment;
      } else if (top !== null && top.pending !== '') top.pending += xml.slice(i, end);
    }
    if (lt === -1) break;
    const c1 = xml.charCodeAt(lt + 1);
    if (c1 === 47) {
      // closing tag
      if (top === null) fail('a closing tag has not been opened');
      let j = lt + 2;
      if (!xml.startsWith(top.raw, j)) fail(`expected the closing tag of '${top.raw}'`);
      j += top.raw.length;
      while (j < n && isWs(xml.charCodeAt(j))) j++;
      if (xml.charCodeAt(j) !== 62) fail(`expected the closing tag of '${top.raw}'`);
      flush(top);
      const closed: Frame = top;
      stack.pop();
      top = stack.length > 0 ? stack[stack.length - 1]! : null;
      if (top === null) {
        addTo(doc, closed.key, elementValue(closed), closed.array);
        rootDone = true;
      } else addTo((top.children ??= {}), closed.key, elementValue(closed), closed.array);
      i = j + 1;
    } else if (c1 === 63) {
      // processing instruction or the XML declaration
      const close = xml.indexOf('?>', lt + 2);
      // Quotes inside must be balanced (fast-xml-parser skipped quoted '?>'; its validator did not).
      for (let q = lt + 2; q < close; q++) {
        const c = xml.charCodeAt(q);
        if (c === 34 || c === 39) {
          q = xml.indexOf(c === 34 ? '"' : "'", q + 1);
          if (q === -1 || q > close) fail('a processing instruction is not closed');
        }
      }
      if (close === -1) fail('a processing instruction is not closed');
      let j = lt + 2;
      while (j < close && !isWs(xml.charCodeAt(j))) j++;
      if (lt !== start && j - lt - 2 === 3 && xml.startsWith('xml', lt + 2)) fail('XML declaration allowed only at the start of the document');
      refuseDeclaration(xml.slice(lt + 2, close));
      if (top !== null) flush(top);
      i = close + 2;
    } else if (c1 === 33) {
      if (xml.startsWith('--', lt + 2)) {
        const close = xml.indexOf('-->', lt + 4);
        if (close === -1) fail('a comment is not closed');
        refuseDeclaration(xml.slice(lt + 4, close));
        i = close + 3;
      } else if (xml.startsWith('[CDATA[', lt + 2)) {
        if (top === null) fail('CDATA outside the root element');
        const close = xml.indexOf(']]>', lt + 9);
        if (close === -1) fail('CDATA is not closed');
        const content = xml.slice(lt + 9, close);
        refuseDeclaration(content);
        flush(top);
        if (content !== '') {
          const v = decodeEntities(content);
          top.text = top.text === undefined ? v : top.text + v;
        }
        i = close + 3;
      } else fail(DECLARATION.test(xml.slice(lt, lt + 9)) ? DECLARATION_REFUSED : "'<!' starts neither a comment nor CDATA");
    } else {
      // opening tag
      if (rootDone) fail('multiple root elements');
      let j = lt + 1;
      for (let c = xml.charCodeAt(j); j < n && !isWs(c) && c !== 62 && c !== 47; c = xml.charCodeAt(++j));
      const raw = xml.slice(lt + 1, j);
      checkName(raw);
      let attrs: XmlRecord | null = null;
      let selfClosing = false;
      for (;;) {
        const before = j;
        while (j < n && isWs(xml.charCodeAt(j))) j++;
        const c = xml.charCodeAt(j);
        if (c === 62) break;
        if (c === 47) {
          if (xml.charCodeAt(j + 1) !== 62) fail(`'/' inside the tag '${raw}'`);
          selfClosing = true;
          j++;
          break;
        }
        if (j >= n) fail(`the tag '${raw}' is not closed`);
        if (c === 61) {
          // A stray '=' where an attribute name would start was skipped by the old validator and parser alike.
          j++;
          continue;
        }
        if (j === before) fail(`an attribute of '${raw}' has no space before it`);
        const nameStart = j;
        while (j < n && !endsName(xml.charCodeAt(j)) && xml.charCodeAt(j) !== 34 && xml.charCodeAt(j) !== 39) j++;
        const name = xml.slice(nameStart, j);
        checkName(name);
        while (j < n && isWs(xml.charCodeAt(j))) j++;
        if (xml.charCodeAt(j) !== 61) fail(`the attribute '${name}' has no value`);
        j++;
        while (j < n && isWs(xml.charCodeAt(j))) j++;
        const q = xml.charCodeAt(j);
        if (q !== 34 && q !== 39) fail(`the attribute '${name}' has no quoted value`);
        const close = xml.indexOf(q === 34 ? '"' : "'", j + 1);
        if (close === -1) fail(`the attribute '${name}' has an open quote`);
        const value = xml.slice(j + 1, close);
        refuseDeclaration(value);
        const key = `@_${name}`;
        if (attrs === null) attrs = {};
        else if (attrs[key] !== undefined) fail(`the attribute '${name}' is repeated`);
        attrs[key] = decodeEntities(value.trim());
        j = close + 1;
      }
      const key = tagKey(raw);
      const { state, array } = childPath(top === null ? DOCUMENT : top.state, key);
      if (top !== null) flush(top);
      if (selfClosing) {
        const value: XmlValue = attrs ?? '';
        if (top === null) {
          addTo(doc, key, value, array);
          rootDone = true;
        } else addTo((top.children ??= {}), key, value, array);
      } else {
        if (stack.length > MAX_NESTED_TAGS) fail('maximum nested tags exceeded');
        const frame: Frame = { raw, key, state, array, children: null, attrs, text: undefined, pending: '' };
        stack.push(frame);
        top = frame;
      }
      i = j + 1;
    }
  }
  if (top !== null) fail(`unclosed tag '${top.raw}'`);
  if (!rootDone) fail('start tag expected');
  return doc;
}

/** Parses any XML text into plain records of strings; refuses DOCTYPEs so no entity can be declared. */
export function parseXmlDocument(body: string, httpStatus: number | null = null): XmlRecord {
  try {
    return tokenize(body);
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    // A declaration anywhere is reported as such, whatever else is wrong with the document.
    const message = DECLARATION.test(body) ? DECLARATION_REFUSED : error.message;
    throw new IntacctUnreadableResponseError('malformed', httpStatus, message);
  }
}

export function asArray<T>(value: T | T[] | undefined | null | ''): T[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

export function text(value: XmlValue | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) && typeof value['#text'] === 'string') return value['#text'];
  return null;
}

function record(value: XmlValue | undefined): XmlRecord | null {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : null;
}

function parseErrors(block: XmlValue | undefined): IntacctErrorDetail[] {
  const em = record(block);
  if (!em) return [];
  return asArray(em['error'] as XmlValue[] | undefined).map((e) => {
    const r = record(e) ?? {};
    return {
      errorNo: text(r['errorno']),
      description: text(r['description']),
      description2: text(r['description2']),
      correction: text(r['correction']),
    };
  });
}

function parseData(value: XmlValue | undefined): ResultData | null {
  if (value === undefined) return null;
  const d = record(value) ?? {};
  const rows: ResultData['rows'] = [];
  for (const [name, v] of Object.entries(d)) {
    if (name.startsWith('@_') || name === '#text') continue;
    for (const row of asArray(v as XmlValue[])) rows.push({ object: name, fields: record(row) ?? {} });
  }
  const attr = (n: string): string | null => (typeof d[`@_${n}`] === 'string' ? (d[`@_${n}`] as string) : null);
  return {
    listType: attr('listtype'),
    count: attr('count'),
    totalCount: attr('totalcount'),
    numRemaining: attr('numremaining'),
    resultId: attr('resultId'),
    rows,
  };
}

/**
 * Reads a gateway answer. Returns the per-function results (each may be a failure); throws a typed
 * error when the request failed as a whole: control level, authentication level, an HTTP error, or
 * a body that is not Intacct XML (empty, an HTML page from the CDN, broken XML).
 */
export function parseGatewayResponse(
  httpStatus: number,
  body: string,
  parseDocument: (body: string, httpStatus: number) => XmlRecord = parseXmlDocument,
): GatewayResponse {
  const trimmed = body.trim();
  if (trimmed === '') throw new IntacctUnreadableResponseError('empty', httpStatus, 'no content');
  if (/^<!doctype html|^<html|^<head|^<body/i.test(trimmed)) {
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    throw new IntacctUnreadableResponseError('html', httpStatus, title ? `"${title}"` : 'no title');
  }
  if (!trimmed.startsWith('<')) throw new IntacctUnreadableResponseError('malformed', httpStatus, 'the body is not XML');
  const doc = parseDocument(trimmed, httpStatus);
  const response = record(doc['response']);
  if (!response) throw new IntacctUnreadableResponseError('malformed', httpStatus, 'no <response> element');

  const control = record(response['control']) ?? {};
  const controlErrors = parseErrors(response['errormessage']);
  if (text(control['status']) !== 'success' || controlErrors.length > 0) throw new IntacctControlError(controlErrors, httpStatus);

  const operation = record(response['operation']);
  if (!operation) {
    if (httpStatus >= 400) throw new IntacctHttpError(httpStatus);
    throw new IntacctUnreadableResponseError('malformed', httpStatus, 'no <operation> element');
  }
  const authRecord = record(operation['authentication']);
  const authentication: AuthenticationBlock | null = authRecord
    ? {
        status: text(authRecord['status']) ?? '',
        userId: text(authRecord['userid']),
        companyId: text(authRecord['companyid']),
        locationId: text(authRecord['locationid']),
        sessionTimeout: text(authRecord['sessiontimeout']),
      }
    : null;
  const operationErrors = parseErrors(operation['errormessage']);
  if ((authentication && authentication.status !== 'success') || (operationErrors.length > 0 && operation['result'] === undefined)) {
    throw new IntacctAuthenticationError(operationErrors, httpStatus);
  }
  if (httpStatus >= 400) throw new IntacctHttpError(httpStatus, operationErrors);

  const results = asArray(operation['result'] as XmlValue[] | undefined).map((r): FunctionResult => {
    const rr = record(r) ?? {};
    return {
      status: text(rr['status']) ?? '',
      function: text(rr['function']) ?? '',
      controlId: text(rr['controlid']) ?? '',
      data: parseData(rr['data']),
      key: text(rr['key']),
      errors: parseErrors(rr['errormessage']),
    };
  });
  return { controlId: text(control['controlid']), authentication, results };
}
