/**
 * The fast-xml-parser based response parser that src/adapters/intacct/xml/response-parser.ts replaced
 * (validator pass + parse pass + a walk over the tree), kept verbatim for the differential spec and the
 * bench only. Not used by the connector.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  IntacctAuthenticationError,
  IntacctControlError,
  IntacctHttpError,
  IntacctUnreadableResponseError,
  type IntacctErrorDetail,
} from '../../../src/adapters/intacct/errors.js';

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

const ARRAY_PATHS = new Set([
  'response.errormessage.error',
  'response.operation.errormessage.error',
  'response.operation.result',
  'response.operation.result.errormessage.error',
]);
const DATA_ROW = /^response\.operation\.result\.data\.[^.]+$/;

// Only the five predefined entities and numeric character references are decoded; with
// processEntities off the parser itself never expands anything (no DTD entities, no XXE).
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return PREDEFINED[ref]!;
  });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  tagValueProcessor: (_name, value) => decodeEntities(value),
  attributeValueProcessor: (_name, value) => decodeEntities(value),
  jPath: true,
  isArray: (_name, jpath, _leaf, isAttribute) => !isAttribute && typeof jpath === 'string' && (ARRAY_PATHS.has(jpath) || DATA_ROW.test(jpath)),
});

/** Parses any XML text into plain records of strings; refuses DOCTYPEs so no entity can be declared. */
export function parseXmlDocument(body: string, httpStatus: number | null = null): XmlRecord {
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) {
    throw new IntacctUnreadableResponseError('malformed', httpStatus, 'a DOCTYPE or entity declaration is not accepted');
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw new IntacctUnreadableResponseError('malformed', httpStatus, valid.err.msg);
  return parser.parse(body) as XmlRecord;
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
export function parseGatewayResponse(httpStatus: number, body: string): GatewayResponse {
  const trimmed = body.trim();
  if (trimmed === '') throw new IntacctUnreadableResponseError('empty', httpStatus, 'no content');
  if (/^<!doctype html|^<html|^<head|^<body/i.test(trimmed)) {
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    throw new IntacctUnreadableResponseError('html', httpStatus, title ? `"${title}"` : 'no title');
  }
  if (!trimmed.startsWith('<')) throw new IntacctUnreadableResponseError('malformed', httpStatus, 'the body is not XML');
  const doc = parseXmlDocument(trimmed, httpStatus);
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
