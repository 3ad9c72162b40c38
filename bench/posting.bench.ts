/**
 * Posting rules throughput: FIS items (already JSON-parsed objects, as the FIS client hands them
 * over) -> parseFisDocument -> preparePosting -> JournalEntry, on one core. Typical report: 10
 * expense entries, a third with VAT, some card lines, one department rule, a default location.
 * Baseline: JSON.parse of the same documents' text (the unavoidable cost of receiving them).
 */
import type { Emit } from './figure.js';
import { parseFisDocument } from '../src/domain/fis/index.js';
import { preparePosting, type DimensionCheck } from '../src/domain/posting/index.js';
import { validateMappingSet } from '../src/domain/mapping/index.js';

export function typicalReport(i: number): Record<string, unknown> {
  const entries = Array.from({ length: 10 }, (_, e) => {
    const card = e % 4 === 0;
    const vat = e % 3 === 0;
    const net = 1000 + ((i * 37 + e * 101) % 20000);
    const tax = vat ? Math.floor(net / 5) : 0;
    const money = (m: number) => Number((m / 100).toFixed(2));
    return {
      entryId: `E${i}-${e}`,
      expenseTypeCode: ['MEALS', 'TAXIX', 'LODNG', 'AIRFR'][e % 4],
      expenseTypeName: ['Meals', 'Taxi', 'Hotel', 'Airfare'][e % 4],
      entryVendorDescription: e % 2 ? 'Some Vendor Inc.' : null,
      entryIsPersonal: 'N',
      entryOrgUnit2Code: '0021',
      allocation: [
        {
          allocationId: `A${i}-${e}`,
          allocationPercentage: 100,
          allocationCustom4Code: ['21-KING', '21-BELLEV1', '11-KING'][e % 3],
          journal: [
            {
              journalAccountCode: ['474230', '474210', '5', '37'][e % 4],
              journalPayer: 'COMP',
              journalPayee: card ? 'IBCP' : 'EMPL',
              amountGross: money(net + tax),
              amountNetOfTax: money(net),
              taxGuid: vat ? [`T${i}-${e}`] : [],
            },
          ],
          tax: vat
            ? [{ taxGuid: `T${i}-${e}`, amountTax: money(tax), amountReclaim: money(tax - (e % 2 ? 0 : Math.floor(tax / 4))), taxAuthorityLabel: 'DEVAT' }]
            : [],
        },
      ],
    };
  });
  const total = entries.reduce((s, e) => s + Math.round(e.allocation[0]!.journal[0]!.amountGross * 100), 0);
  return {
    id: `doc${i}`,
    docType: 'expense',
    companyId: '1',
    document: {
      employee: { employeeId: `EMP${i % 50}`, employeeFirstName: 'A', employeeLastName: 'B' },
      report: {
        reportId: `R${i}`,
        reportName: `Trip ${i}`,
        employeeCurrencyAlphaCode: 'EUR',
        totalApprovedAmount: total / 100,
        revisionNumber: '1',
        reportPaymentProcessingDate: '2026-06-30T10:00:00Z',
      },
      expenseEntry: entries,
      cashAdvanceApplication: [],
    },
  };
}

const mappingResult = validateMappingSet({
  journal: 'EXPJ',
  accounts: { '474230': '6400', '474210': '6410', '5': '6420', '37': '6430' },
  counterparties: { EMPL: { account: '2050', employeeDimension: true }, IBCP: { account: '2110', vendorId: 'AMEX' } },
  taxAccounts: { DEVAT: { reclaim: '1410', nonDeductible: '6990' } },
  dimensions: [{ source: 'allocationCustom4Code', target: 'DEPARTMENT', values: { '21-KING': 'D210', '21-BELLEV1': 'D211', '11-KING': 'D110' } }],
  defaults: { LOCATION: '100' },
});
if (!mappingResult.ok) throw new Error(JSON.stringify(mappingResult.issues));
export const mappings = mappingResult.value;
const known = new Set(['6400', '6410', '6420', '6430', '2050', '2110', '1410', '6990', 'D210', 'D211', 'D110', '100', 'AMEX']);
export const check: DimensionCheck = (target, value) => (target === 'EMPLOYEEID' || known.has(value) ? 'ok' : 'missing');

/**
 * Documents per CPU-second of this process (user + system), not per wall-clock second: the figure
 * is "on one core" and stays meaningful on a shared, busy machine. The baseline is measured the same way.
 */
function measure(seconds: number, body: () => number): number {
  const startCpu = process.cpuUsage();
  let count = 0;
  let cpuSeconds = 0;
  while (cpuSeconds < seconds) {
    count += body();
    const used = process.cpuUsage(startCpu);
    cpuSeconds = (used.user + used.system) / 1e6;
  }
  return count / cpuSeconds;
}

export async function run(emit: Emit, opts: { quick: boolean }): Promise<void> {
  const docs = Array.from({ length: 1000 }, (_, i) => typicalReport(i));
  const texts = docs.map((d) => JSON.stringify(d));
  const options = { today: '2026-07-01' };
  // Sanity: every document must really become an entry, or the figure means nothing.
  for (const d of docs) {
    const r = preparePosting(parseFisDocument(d), mappings, check, options);
    if (!r.ok) throw new Error(`bench document did not post: ${JSON.stringify(r)}`);
  }
  const seconds = opts.quick ? 0.5 : 3;
  measure(0.3, () => {
    for (const d of docs.slice(0, 200)) preparePosting(parseFisDocument(d), mappings, check, options);
    for (const t of texts.slice(0, 200)) JSON.parse(t);
    return 200;
  }); // JIT warm-up of both paths
  const baseline = measure(seconds, () => {
    for (const t of texts) JSON.parse(t);
    return texts.length;
  });
  const value = measure(seconds, () => {
    for (const d of docs) preparePosting(parseFisDocument(d), mappings, check, options);
    return docs.length;
  });
  emit({
    name: 'posting documents to journal entries (10-line reports, one core)',
    value: Math.round(value),
    unit: 'documents/s',
    baseline: { name: 'JSON.parse of the same documents', value: Math.round(baseline), unit: 'documents/s' },
    goal: '>= 20000 documents/s',
  });
}
