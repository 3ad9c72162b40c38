/**
 * The fast-xml-parser based response parser that src/adapters/intacct/xml/response-parser.ts replaced
 * (validator pass + parse pass + a walk over the tree), kept verbatim for the differential spec and the
 * bench only. Not used by the connector.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { IntacctUnreadableResponseError } from '../../../src/adapters/intacct/errors.js';
import { parseGatewayResponse as readGatewayResponse, type GatewayResponse, type XmlRecord } from '../../../src/adapters/intacct/xml/response-parser.js';

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

/**
 * The gateway answer read with the old document parser and the one reading of the document that
 * both parsers share: what differs between them is only how the XML text becomes records.
 */
export function parseGatewayResponse(httpStatus: number, body: string): GatewayResponse {
  return readGatewayResponse(httpStatus, body, parseXmlDocument);
}
