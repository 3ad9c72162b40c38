import { randomUUID } from 'node:crypto';
import type { GatewayFunction } from './xml/envelope.js';
import { el } from './xml/xml-builder.js';
import type { FunctionResult } from './xml/response-parser.js';

/** Single quotes are doubled inside an Intacct query literal. */
export const queryLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/**
 * readByQuery GLBATCH by REFERENCENO (= posting key). Its controlid is random: with uniqueid=true a
 * repeated read would not run again.
 */
export function readBackFunction(postingKey: string): GatewayFunction {
  return {
    controlId: `readback-${randomUUID()}`,
    body: el('readByQuery', [
      el('object', 'GLBATCH'),
      el('fields', 'RECORDNO,REFERENCENO,BATCH_DATE,STATE'),
      el('query', `REFERENCENO = ${queryLiteral(postingKey)}`),
      el('pagesize', '10'),
    ]),
  };
}

/** RECORDNOs of the GLBATCHes found (normally zero or one). */
export function recordNosFound(result: FunctionResult): string[] {
  return (result.data?.rows ?? [])
    .map((r) => r.fields['RECORDNO'])
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .sort((a, b) => Number(a) - Number(b));
}

/** RECORDNO of a successful create (`<data><glbatch><RECORDNO>`). */
export function createdRecordNo(result: FunctionResult): string | null {
  for (const row of result.data?.rows ?? []) {
    const v = row.fields['RECORDNO'];
    if (typeof v === 'string' && v !== '') return v;
  }
  return result.key;
}
