/**
 * docs/required-fields.md, checked against every test document: SAP's FIS samples, the posting
 * builders, invoices, a cash advance and the sandbox's demo documents. For every key at every level,
 * one at a time, the key is removed, set to null and set to "":
 * - a field the table does not require never turns an accepted document into a rejected one.
 *   "Accepted" = parsed and not rejected by the posting rules: a balanced entry, or mapping gaps.
 *   The entry may change (a lost dimension, a shorter memo); new gaps are allowed only when the
 *   removed field is the source of a mapping (an account code, a tax label, a dimension source),
 *   and only for that mapping. The posting key stays the same unless a version field was removed.
 * - a required field gives a rejection that names its exact path and says what to do.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateInvoiceDocument } from '../../src/adapters/concur/simulator/index.js';
import { demoDimensionCheck, demoDocuments, demoMappingsJson, demoReferenceData } from '../../src/app/sandbox/index.js';
import type { MappingGap } from '../../src/domain/document/events.js';
import { FisDocumentError, parseFisDocument } from '../../src/domain/fis/index.js';
import { fieldPattern, REQUIRED_FIELDS } from '../../src/domain/fis/required.js';
import { parseMappingsJson, type MappingSet } from '../../src/domain/mapping/index.js';
import { parseMinor } from '../../src/domain/money/money.js';
import { preparePosting, type DimensionCheck } from '../../src/domain/posting/index.js';
import { expenseItem } from './builders.js';
import { demoCheck, demoMappings, fisItem, OPTIONS } from './fixtures.js';

/** Rows of the required-field tables: each a list of alternative field patterns (one of them must be given). */
function requiredRows(): string[][] {
  const md = readFileSync(fileURLToPath(new URL('../../docs/required-fields.md', import.meta.url)), 'utf8');
  const tables = md.slice(0, md.indexOf('## What happens when other fields are missing'));
  return tables
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => [...line.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

type Outcome =
  | { kind: 'entry'; postingKey: string; debits: number; credits: number }
  | { kind: 'gaps'; gaps: MappingGap[] }
  | { kind: 'rejected'; reason: string };

interface Case {
  name: string;
  item: Record<string, unknown>;
  mappings: MappingSet;
  check: DimensionCheck;
}

function outcome(c: Case): Outcome {
  let doc;
  try {
    doc = parseFisDocument(c.item);
  } catch (error) {
    if (error instanceof FisDocumentError) return { kind: 'rejected', reason: error.message };
    throw error;
  }
  const result = preparePosting(doc, c.mappings, c.check, OPTIONS);
  if (result.ok) {
    let debits = 0;
    let credits = 0;
    for (const l of result.entry.lines) l.trType === 1 ? (debits += parseMinor(l.amount, doc.currency)) : (credits += parseMinor(l.amount, doc.currency));
    return { kind: 'entry', postingKey: result.entry.postingKey, debits, credits };
  }
  return 'gaps' in result ? { kind: 'gaps', gaps: result.gaps } : { kind: 'rejected', reason: result.rejected.reason };
}

/** The gaps a removed field may cause: only those of the mapping it is the source of. */
function gapAllowed(key: string, gap: MappingGap, mappings: MappingSet): boolean {
  const dimensionSource = mappings.dimensions.some((r) => r.source === key || key.toLowerCase().endsWith(r.source.toLowerCase()));
  switch (key) {
    case 'journalAccountCode':
    case 'expenseTypeCode':
      return gap.kind === 'account' || (gap.kind === 'unknown-value' && gap.field.startsWith('accounts.'));
    case 'taxAuthorityLabel':
      return gap.kind === 'tax-account' || (gap.kind === 'unknown-value' && gap.field.startsWith('taxAccounts.'));
    default:
      return dimensionSource && (gap.kind === 'dimension' || gap.field.startsWith('dimensions['));
  }
}

const sameGap = (a: MappingGap, b: MappingGap) => a.kind === b.kind && a.code === b.code && a.field === b.field;
const VERSION_FIELDS = new Set(['revisionNumber', 'versionId', 'version']);
const given = (v: unknown) => v !== undefined && v !== null && v !== '';
/** The reason names `path` itself, not only a longer path that starts with it. */
const names = (reason: string, path: string) => new RegExp(`(^|[\\s:])${path.replace(/[.[\]]/g, '\\$&')}(?![\\w[.])`).test(reason);

function sandboxCases(): Case[] {
  const parsed = parseMappingsJson(demoMappingsJson());
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const check = demoDimensionCheck(demoReferenceData());
  return demoDocuments(new Date('2026-11-28T15:00:00Z')).map((item) => ({
    name: `sandbox ${(item.document as any).report?.reportName ?? (item.document as any).invoice?.name}`,
    item: item as unknown as Record<string, unknown>,
    mappings: parsed.value,
    check,
  }));
}

function cases(): Case[] {
  const demo = (name: string, item: Record<string, unknown>): Case => ({ name, item, mappings: demoMappings(), check: demoCheck });
  const dept = { allocationCustom4Code: '21-KING' };
  return [
    ...['1.1', '1.2', '2.1', '3.1', '6.1.2'].map((example) => demo(`SAP Example ${example}`, structuredClone(fisItem(example)))),
    demo(
      'builder: personal expense on a company card',
      expenseItem({
        total: 0,
        entries: [
          {
            id: 'E1',
            personal: true,
            allocations: [
              {
                id: 'A1',
                fields: dept,
                journals: [
                  { account: '', payer: 'COMP', payee: 'IBCP', gross: 40 },
                  { account: '', payer: 'EMPL', payee: 'COMP', gross: -40 },
                ],
              },
            ],
          },
        ],
      }),
    ),
    demo(
      'builder: taxes, two allocations, a cash advance applied',
      expenseItem({
        total: 220,
        cashAdvances: [{ id: 'CA1', amount: -50 }],
        entries: [
          {
            id: 'E1',
            allocations: [
              { id: 'A1', percentage: 50, fields: dept, journals: [{ gross: 60, net: 50, taxes: [{ guid: 'T1', tax: 10, reclaim: 6, label: 'FRVAT' }] }] },
              {
                id: 'A2',
                percentage: 50,
                fields: { allocationCustom4Code: '11-KING' },
                journals: [{ gross: 60, net: 50, taxes: [{ guid: 'T2', tax: 10, reclaim: 6, label: 'DEVAT' }] }],
              },
            ],
          },
          { id: 'E2', allocations: [{ id: 'A3', journals: [{ gross: 100, payee: 'COPD' }] }] },
        ],
      }),
    ),
    demo('invoice with allocations by amount and by percentage', {
      id: 'INV-1',
      docType: 'invoice',
      document: {
        invoice: {
          requestId: 'PR77',
          invoiceNumber: 'F-1',
          name: 'Office supplies',
          vendorCode: 'V100',
          vendorName: 'Paper & Co',
          currencyCode: 'USD',
          totalAmount: 100,
          invoiceDate: '2026-06-10',
          paymentDate: '2026-06-20T00:00:00Z',
          version: '1',
        },
        lineItems: [
          {
            lineItemId: 'L1',
            description: 'Paper',
            journalAccountCode: '474230',
            amount: 60,
            allocations: [{ allocationId: 'A', amount: 60, custom4Code: '21-KING' }],
          },
          {
            lineItemId: 'L2',
            description: 'Toner',
            journalAccountCode: '474210',
            amount: 40,
            allocations: [
              { allocationId: 'B', percentage: 50 },
              { allocationId: 'C', percentage: 50 },
            ],
          },
        ],
      },
    }),
    demo(
      'simulator invoice',
      generateInvoiceDocument({ accountCodes: ['474230', '474210'], invoiceDate: '2026-06-10T00:00:00Z' }) as unknown as Record<string, unknown>,
    ),
    demo('cash advance issuance', {
      id: 'CA-DOC',
      docType: 'cashadvance',
      document: {
        employeeData: { employeeId: '1017001' },
        cashAdvanceData: {
          cashAdvanceId: 'CA77',
          cashAdvanceName: 'Trip to Berlin',
          cashAdvanceAmount: 500,
          currencyCode: 'USD',
          issuedDate: '2026-06-01T09:00:00Z',
        },
        journalData: {},
      },
    }),
    ...sandboxCases(),
  ];
}

type Json = Record<string, unknown>;

/** Every (object, key, path) of a JSON value, depth first; `path` is the key's full path, `outer` the enclosing objects. */
function* keysOf(value: unknown, path: string, outer: readonly Json[] = []): Generator<{ owner: Json; key: string; path: string; outer: readonly Json[] }> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* keysOf(value[i], `${path}[${i}]`, outer);
  } else if (value !== null && typeof value === 'object') {
    const owner = value as Json;
    for (const key of Object.keys(owner)) {
      const keyPath = path === '' ? key : `${path}.${key}`;
      yield { owner, key, path: keyPath, outer };
      yield* keysOf(owner[key], keyPath, [...outer, owner]);
    }
  }
}

const references = (allocation: Json | undefined, guid?: unknown): boolean =>
  Array.isArray(allocation?.['journal']) &&
  (allocation!['journal'] as Json[]).some((j) => Array.isArray(j['taxGuid']) && (guid === undefined ? j['taxGuid'].length > 0 : j['taxGuid'].includes(guid)));

/** Rows the table makes conditional ("required when …"), decided here from the document itself. */
const CONDITIONS: Readonly<Record<string, (owner: Json, outer: readonly Json[]) => boolean>> = {
  // The allocation's tax list is needed when one of its journal lines references a tax item.
  'document.expenseEntry[].allocation[].tax': (allocation) => references(allocation),
  // A tax item's amount is needed when a journal line takes it (all test documents link by guid).
  'document.expenseEntry[].allocation[].tax[].amountTax': (tax, outer) => references(outer[outer.length - 1], tax['taxGuid']),
};

const rows = requiredRows();

describe('required fields (docs/required-fields.md)', () => {
  it('the table in the docs is the table in the code', () => {
    expect(rows.flat().sort()).toEqual(Object.keys(REQUIRED_FIELDS).sort());
  });

  for (const c of cases()) {
    it(`${c.name}: only the required fields are needed, and each missing one is named`, () => {
      const baseline = outcome(c);
      expect(baseline.kind, baseline.kind === 'rejected' ? baseline.reason : '').not.toBe('rejected');
      const problems: string[] = [];
      let tried = 0;
      // Materialise first: the walk must not see the mutations it makes.
      for (const { owner, key, path, outer } of [...keysOf(c.item, '')]) {
        const pattern = fieldPattern(path);
        const row = rows.find((r) => r.includes(pattern));
        // One of several names: required only when none of the others is given here.
        const required =
          row !== undefined &&
          row.every((alt) => alt === pattern || !given(owner[alt.slice(alt.lastIndexOf('.') + 1)])) &&
          (CONDITIONS[pattern]?.(owner, outer) ?? true);
        const original = owner[key];
        for (const variant of ['removed', 'null', '""'] as const) {
          if (variant === 'removed') delete owner[key];
          else owner[key] = variant === 'null' ? null : '';
          const after = outcome(c);
          owner[key] = original;
          tried++;
          const what = `${path} ${variant}`;
          if (required) {
            if (after.kind !== 'rejected')
              problems.push(`${what}: required, but the document was ${after.kind === 'entry' ? 'posted' : 'left waiting for mappings'}`);
            else if (!names(after.reason, path) || !after.reason.includes('check it in Concur'))
              problems.push(`${what}: rejected without naming the path and what to do: ${after.reason}`);
            continue;
          }
          if (after.kind === 'rejected') {
            problems.push(`${what}: not required, but rejected: ${after.reason}`);
          } else if (after.kind === 'gaps') {
            const known = baseline.kind === 'gaps' ? baseline.gaps : [];
            for (const g of after.gaps)
              if (!known.some((k) => sameGap(k, g)) && !gapAllowed(key, g, c.mappings))
                problems.push(`${what}: a gap it does not feed: ${g.kind} ${g.code} ${g.field}`);
          } else {
            if (after.debits !== after.credits) problems.push(`${what}: unbalanced entry`);
            if (baseline.kind === 'entry' && after.postingKey !== baseline.postingKey && !VERSION_FIELDS.has(key))
              problems.push(`${what}: posting key changed to ${after.postingKey}`);
          }
        }
      }
      expect(tried).toBeGreaterThan(30);
      expect(problems).toEqual([]);
    });
  }
});
