/**
 * The sandbox's Concur documents: ten expense reports and two vendor invoices, one per posting rule
 * (docs/sandbox.md). Ids are fixed; dates follow `now` so every report falls in the open month,
 * except report (j), processed last month, whose period the sandbox Intacct company has closed.
 */
import type { SimFisItem } from '../../adapters/concur/simulator/documents.js';
import type { MappingGap } from '../../domain/document/events.js';
import { DEMO_UNMAPPED_ACCOUNT_CODE } from './demo-mappings.js';
import { demoHex, expenseItem, invoiceItem, type DemoEmployee, type EntrySpec } from './fis-shape.js';

export type DemoOutcome = 'posted' | 'awaiting-mapping' | 'rejected-closed-period';

export interface DemoExpectation {
  /** Letter of the case in docs/sandbox.md. */
  case: string;
  title: string;
  outcome: DemoOutcome;
  currency: string;
  /** Debits (= credits) of the prepared entry; for (i) once the gap is fixed. */
  total: string;
  /** For 'awaiting-mapping': the one gap expected (its `lines` name the affected journal line). */
  gap?: Pick<MappingGap, 'kind' | 'code' | 'field'>;
}

const ANA: DemoEmployee = { employeeId: 'E1021', firstName: 'Ana', lastName: 'Lopez', currency: 'USD', country: 'US' };
const BEN: DemoEmployee = { employeeId: 'E1022', firstName: 'Ben', lastName: 'Okafor', currency: 'USD', country: 'US' };
const DANA: DemoEmployee = { employeeId: 'E1023', firstName: 'Dana', lastName: 'Kim', currency: 'USD', country: 'US' };
/** Concur id differs from the Intacct one (E1017): resolved by the `employees` mapping. */
const CHRIS: DemoEmployee = { employeeId: '49038128', firstName: 'Chris', lastName: 'Smith', currency: 'EUR', country: 'DE' };

interface Dates {
  /** Day `n` days before today, kept inside the current month (UTC), as Concur's midnight timestamp. */
  daysAgo(n: number): string;
  /** Today, as a processing timestamp. */
  processed: string;
  /** The 15th of last month (a closed period in the sandbox company). */
  lastMonth: string;
}

function datesFor(now: Date): Dates {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const day = (d: number, month = m): string => new Date(Date.UTC(y, month, d)).toISOString().slice(0, 10);
  return {
    daysAgo: (n) => `${day(Math.max(1, now.getUTCDate() - n))}T00:00:00.000Z`,
    processed: `${day(now.getUTCDate())}T06:00:00.000Z`,
    lastMonth: `${day(15, m - 1)}T06:00:00.000Z`,
  };
}

type Cost = { costCenter: string; project?: string; customer?: string };
const SALES_CC: Cost = { costCenter: '21-BELLEV1' };
const ENG_CC: Cost = { costCenter: '21-SEATTLE' };

/** One out-of-pocket (or card) entry with a single 100 % allocation and one journal line. */
function spend(
  typeCode: string,
  typeName: string,
  vendor: string,
  date: string,
  account: string,
  amount: number,
  cost: Cost,
  payType: EntrySpec['payType'] = 'CASH',
): EntrySpec {
  const payee = payType === 'CASH' ? 'EMPL' : payType;
  return {
    typeCode,
    typeName,
    vendor,
    date,
    approved: amount,
    payType,
    ...(payType === 'CASH' || payType === 'COPD' ? {} : { cardTransaction: demoHex(`card/${typeCode}/${vendor}`, 15) }),
    allocations: [{ percentage: 100, ...cost, journals: [{ account, payer: 'COMP', payee, gross: amount }] }],
  };
}

interface DemoCase extends DemoExpectation {
  key: string;
  build(d: Dates, key: string): SimFisItem;
}

const CASES: readonly DemoCase[] = [
  {
    key: 'a-employee-paid',
    case: 'a',
    title: 'Employee-paid report, department from the allocation cost centre',
    outcome: 'posted',
    currency: 'USD',
    total: '102.70',
    build: (d, key) =>
      expenseItem({
        key,
        name: 'Client visit Portland',
        employee: ANA,
        businessLine: 'SALES',
        totalApproved: 102.7,
        submitted: d.daysAgo(1),
        processed: d.processed,
        entries: [
          spend('TAXIX', 'Taxi', 'Radio Cab', d.daysAgo(3), '474210', 38.5, SALES_CC),
          spend('DINNR', 'Dinner', 'Andina', d.daysAgo(3), '474300', 64.2, SALES_CC),
        ],
      }),
  },
  {
    key: 'b-vat',
    case: 'b',
    title: 'German VAT: fully reclaimable on the hotel, partly on the client dinner',
    outcome: 'posted',
    currency: 'EUR',
    total: '357.00',
    build: (d, key) =>
      expenseItem({
        key,
        name: 'Berlin trade fair',
        employee: CHRIS,
        businessLine: 'RND',
        totalApproved: 357,
        submitted: d.daysAgo(1),
        processed: d.processed,
        entries: [
          {
            typeCode: 'LODNG',
            typeName: 'Hotel',
            vendor: 'Hotel Adlon',
            date: d.daysAgo(4),
            approved: 238,
            payType: 'CASH',
            allocations: [
              {
                percentage: 100,
                ...ENG_CC,
                journals: [{ account: '474230', payer: 'COMP', payee: 'EMPL', gross: 238, net: 200, netOfReclaim: 200, taxGuid: demoHex('b/tax-hotel') }],
                taxes: [{ guid: demoHex('b/tax-hotel'), label: 'DEVAT', country: 'DE', tax: 38, reclaim: 38 }],
              },
            ],
          },
          {
            typeCode: 'BUSML',
            typeName: 'Business Meal (attendees)',
            vendor: 'Lorenz Adlon',
            date: d.daysAgo(3),
            approved: 119,
            payType: 'CASH',
            allocations: [
              {
                percentage: 100,
                ...ENG_CC,
                journals: [{ account: '474400', payer: 'COMP', payee: 'EMPL', gross: 119, net: 100, netOfReclaim: 105.7, taxGuid: demoHex('b/tax-dinner') }],
                taxes: [{ guid: demoHex('b/tax-dinner'), label: 'DEVAT', country: 'DE', tax: 19, reclaim: 13.3 }],
              },
            ],
          },
        ],
      }),
  },
  {
    key: 'c-ibcp-card',
    case: 'c',
    title: 'Corporate card, individually billed, company pays (IBCP)',
    outcome: 'posted',
    currency: 'USD',
    total: '430.60',
    build: (d, key) =>
      expenseItem({
        key,
        name: 'Sales kickoff Denver',
        employee: BEN,
        businessLine: 'SALES',
        totalApproved: 430.6,
        submitted: d.daysAgo(1),
        processed: d.processed,
        entries: [
          spend('AIRFR', 'Airfare', 'United Airlines', d.daysAgo(6), '474100', 412.6, SALES_CC, 'IBCP'),
          spend('PARKG', 'Parking', 'DEN Airport Parking', d.daysAgo(4), '474210', 18, SALES_CC),
        ],
      }),
  },
  {
    key: 'd-cbcp-personal',
    case: 'd',
    title: 'Company-billed card (CBCP) with a personal charge the employee pays back',
    outcome: 'posted',
    currency: 'USD',
    total: '355.00',
    build: (d, key) =>
      expenseItem({
        key,
        name: 'Customer site visit Austin',
        employee: DANA,
        businessLine: 'RND',
        totalApproved: 310,
        submitted: d.daysAgo(1),
        processed: d.processed,
        entries: [
          spend('LODNG', 'Hotel', 'Hilton Austin', d.daysAgo(5), '474230', 310, ENG_CC, 'CBCP'),
          // Concur's shape for a personal charge on a company card: the company pays the card, the
          // employee pays the company; the expense side cancels and has no account code.
          {
            typeCode: 'PRSNL',
            typeName: 'Personal expense (do not reimburse)',
            vendor: 'Hilton Austin minibar',
            date: d.daysAgo(5),
            approved: 0,
            payType: 'CBCP',
            personal: true,
            cardTransaction: demoHex('card/PRSNL/minibar', 15),
            allocations: [
              {
                percentage: 100,
                ...ENG_CC,
                journals: [
                  { account: '', payer: 'COMP', payee: 'CBCP', gross: 45 },
                  { account: '', payer: 'EMPL', payee: 'COMP', gross: -45 },
                ],
              },
            ],
          },
        ],
      }),
  },
  {
    key: 'e-cash-advance',
    case: 'e',
    title: 'A $300 cash advance applied: the employee is paid only the rest',
    outcome: 'posted',
    currency: 'USD',
    total: '505.40',
    build: (d, key) =>
      expenseItem({
        key,
        name: 'Customer workshop Chicago',
        employee: BEN,
        businessLine: 'SALES',
        totalApproved: 505.4,
        submitted: d.daysAgo(1),
        processed: d.processed,
        cashAdvancesApplied: [-300],
        entries: [
          spend('LODNG', 'Hotel', 'Palmer House', d.daysAgo(8), '474230', 420, SALES_CC),
          spend('DINNR', 'Dinner', "Lou Malnati's", d.daysAgo(7), '474300', 85.4, SALES_CC),
        ],
      }),
  },
  {
    key: 'f-split-60-40',
    case: 'f',
    title: 'One dinner split 60 % Engineering / 40 % Sales',
    outcome: 'posted',
    currency: 'USD',
    total: '187.45',
    build: (d, key) =>
      expenseItem({
        key,
        name: 'Engineering offsite dinner',
        employee: ANA,
        businessLine: 'RND',
        totalApproved: 187.45,
        submitted: d.daysAgo(1),
        processed: d.processed,
        entries: [
          {
            typeCode: 'DINNR',
            typeName: 'Team dinner',
            vendor: 'The Pink Door',
            date: d.daysAgo(2),
            approved: 187.45,
            payType: 'CASH',
            allocations: [
              { percentage: 60, ...ENG_CC, journals: [{ account: '474300', payer: 'COMP', payee: 'EMPL', gross: 112.47 }] },
              { percentage: 40, ...SALES_CC, journals: [{ account: '474300', payer: 'COMP', payee: 'EMPL', gross: 74.98 }] },
            ],
          },
        ],
      }),
  },
  {
    key: 'g-refund',
    case: 'g',
    title: 'A refund larger than the expenses: the employee owes the company',
    outcome: 'posted',
    currency: 'USD',
    total: '150.00',
    build: (d, key) =>
      expenseItem({
        key,
        name: 'Cancelled trip',
        employee: DANA,
        businessLine: 'SALES',
        totalApproved: -123,
        submitted: d.daysAgo(1),
        processed: d.processed,
        entries: [
          spend('TAXIX', 'Taxi', 'Yellow Cab', d.daysAgo(9), '474210', 27, SALES_CC),
          {
            typeCode: 'AIRFR',
            typeName: 'Airfare',
            vendor: 'Delta Air Lines',
            description: 'Refund for a cancelled flight',
            date: d.daysAgo(2),
            approved: -150,
            payType: 'CASH',
            allocations: [{ percentage: 100, ...SALES_CC, journals: [{ account: '474100', payer: 'EMPL', payee: 'COMP', gross: -150 }] }],
          },
        ],
      }),
  },
  {
    key: 'h-project-customer',
    case: 'h',
    title: 'Billable trip on a project and customer; agency-booked flight (COPD) and personal card (IBIP)',
    outcome: 'posted',
    currency: 'USD',
    total: '678.00',
    build: (d, key) => {
      const acme: Cost = { costCenter: '21-BELLEV1', project: 'P-1001', customer: 'ACME' };
      return expenseItem({
        key,
        name: 'ACME rollout site visit',
        employee: BEN,
        businessLine: 'SALES',
        totalApproved: 678,
        submitted: d.daysAgo(1),
        processed: d.processed,
        entries: [
          spend('AIRFR', 'Airfare', 'Alaska Airlines', d.daysAgo(10), '474100', 380, acme, 'COPD'),
          spend('LODNG', 'Hotel', 'Hyatt Regency', d.daysAgo(9), '474230', 298, acme, 'IBIP'),
        ],
      });
    },
  },
  {
    key: 'i-unmapped-account',
    case: 'i',
    title: `Conference fee on Concur account ${DEMO_UNMAPPED_ACCOUNT_CODE}, which has no mapping yet`,
    outcome: 'awaiting-mapping',
    currency: 'USD',
    total: '527.10',
    gap: { kind: 'account', code: DEMO_UNMAPPED_ACCOUNT_CODE, field: 'accounts' },
    build: (d, key) =>
      expenseItem({
        key,
        name: 'Conference registration',
        employee: ANA,
        businessLine: 'RND',
        totalApproved: 527.1,
        submitted: d.daysAgo(1),
        processed: d.processed,
        entries: [
          spend('CONFR', 'Seminar/Conference fees', 'KubeCon', d.daysAgo(12), DEMO_UNMAPPED_ACCOUNT_CODE, 495, ENG_CC),
          spend('LUNCH', 'Lunch', 'Convention center', d.daysAgo(11), '474300', 32.1, ENG_CC),
        ],
      }),
  },
  {
    key: 'j-closed-period',
    case: 'j',
    title: 'Processed last month: Intacct refuses it, the period is closed',
    outcome: 'rejected-closed-period',
    currency: 'EUR',
    total: '89.90',
    build: (d, key) =>
      expenseItem({
        key,
        name: 'Munich client meeting',
        employee: CHRIS,
        businessLine: 'SALES',
        totalApproved: 89.9,
        submitted: d.lastMonth,
        processed: d.lastMonth,
        entries: [spend('TRAIN', 'Train', 'Deutsche Bahn', d.lastMonth.slice(0, 10) + 'T00:00:00.000Z', '474210', 89.9, SALES_CC)],
      }),
  },
  {
    key: 'k-vendor-invoice',
    case: 'k',
    title: 'Vendor invoice: expense lines, vendor payable with VENDORID',
    outcome: 'posted',
    currency: 'USD',
    total: '2586.30',
    build: (d, key) =>
      invoiceItem({
        key,
        name: 'Platform upgrade, phase 1',
        invoiceNumber: 'NW-0142',
        vendorCode: 'V200',
        vendorName: 'Northwind Consulting',
        currency: 'USD',
        total: 2586.3,
        invoiceDate: d.daysAgo(5),
        paymentDate: d.processed,
        lines: [
          {
            description: 'Implementation consulting',
            typeCode: 'CONSL',
            account: '478000',
            amount: 2400,
            allocations: [{ costCenter: '21-SEATTLE', project: 'P-1002', percentage: 100, amount: 2400 }],
          },
          {
            description: 'Consultant travel (rebilled)',
            typeCode: 'TRAVL',
            account: '474210',
            amount: 186.3,
            allocations: [{ costCenter: '21-SEATTLE', project: 'P-1002', percentage: 100, amount: 186.3 }],
          },
        ],
      }),
  },
  {
    key: 'l-invoice-thirds',
    case: 'l',
    title: 'Invoice split in thirds by percentage: the remainder cent goes to the largest share',
    outcome: 'posted',
    currency: 'USD',
    total: '1250.00',
    build: (d, key) =>
      invoiceItem({
        key,
        name: 'Quarterly offsite catering',
        invoiceNumber: 'HC-2210',
        vendorCode: 'V100',
        vendorName: 'Hotel Co',
        currency: 'USD',
        total: 1250,
        invoiceDate: d.daysAgo(3),
        paymentDate: d.processed,
        lines: [
          {
            description: 'Meeting room and catering',
            typeCode: 'MEALS',
            account: '474300',
            amount: 1250,
            allocations: [
              { costCenter: '21-BELLEV1', percentage: 33.33 },
              { costCenter: '21-SEATTLE', percentage: 33.33 },
              { costCenter: '11-KING', percentage: 33.34 },
            ],
          },
        ],
      }),
  },
];

/**
 * The second part of the demo: published after the sandbox switches the mapping set's `targets`
 * (DEMO_TARGETS), so each Intacct object appears at least once beside the journals above.
 */
const TARGET_CASES: readonly DemoCase[] = [
  {
    key: 'm-targets-report',
    case: 'm',
    title: 'Out-of-pocket and company-card lines with targets set: one EEXPENSES for Dana, one CCTRANSACTION on the AMEX card',
    outcome: 'posted',
    currency: 'USD',
    total: '248.40',
    build: (d, key) =>
      expenseItem({
        key,
        name: 'Team offsite Seattle',
        employee: DANA,
        businessLine: 'RND',
        totalApproved: 248.4,
        submitted: d.daysAgo(1),
        processed: d.processed,
        entries: [
          spend('DINNR', 'Dinner', 'Canlis', d.daysAgo(2), '474300', 58.4, ENG_CC),
          spend('TAXIX', 'Taxi', 'Yellow Cab', d.daysAgo(2), '474210', 24, ENG_CC),
          spend('LODNG', 'Hotel', 'Hotel Sorrento', d.daysAgo(2), '474230', 166, ENG_CC, 'CBCP'),
        ],
      }),
  },
  {
    key: 'n-targets-bill',
    case: 'n',
    title: 'A vendor invoice with targets set: an APBILL to Hotel Co, payable through Intacct',
    outcome: 'posted',
    currency: 'USD',
    total: '640.00',
    build: (d, key) =>
      invoiceItem({
        key,
        name: 'Offsite room block',
        invoiceNumber: 'HC-2291',
        vendorCode: 'V100',
        vendorName: 'Hotel Co',
        currency: 'USD',
        total: 640,
        invoiceDate: d.daysAgo(2),
        paymentDate: d.processed,
        lines: [
          {
            description: 'Room block, 4 nights',
            typeCode: 'LODNG',
            account: '474230',
            amount: 640,
            allocations: [{ costCenter: '21-SEATTLE', percentage: 100, amount: 640 }],
          },
        ],
      }),
  },
];

/** What the sandbox switches the mapping set to before publishing the target documents (README, Posting targets). */
export const DEMO_TARGETS = {
  targets: { expense: { outOfPocket: 'EEXPENSES', companyCard: 'CCTRANSACTION' }, invoice: 'APBILL' },
  // Concur card program AX (American Express, the demo's cards) -> the simulated company's AMEX card account.
  cardAccounts: { AX: 'AMEX-CORP', CBCP: 'AMEX-CORP', IBCP: 'AMEX-CORP' },
  expenseTypes: { DINNR: 'Meals', LODNG: 'Lodging' },
} as const;

/** The target demo documents (m, n), dated relative to `now`. */
export function demoTargetDocuments(now: Date): SimFisItem[] {
  const d = datesFor(now);
  return TARGET_CASES.map((c) => c.build(d, c.key));
}

/** The demo documents as FIS items, dated relative to `now` (UTC). Same ids on every call. */
export function demoDocuments(now: Date): SimFisItem[] {
  const d = datesFor(now);
  return CASES.map((c) => c.build(d, c.key));
}

/** What each demo document must end as, by FIS document id (for the end-to-end test and the docs). */
export const demoExpectations: Readonly<Record<string, DemoExpectation>> = Object.fromEntries(
  CASES.map((c) => [
    demoHex(c.key),
    { case: c.case, title: c.title, outcome: c.outcome, currency: c.currency, total: c.total, ...(c.gap ? { gap: c.gap } : {}) },
  ]),
);

/** What each target demo document must end as (each of its records posted). */
export const demoTargetExpectations: Readonly<Record<string, DemoExpectation>> = Object.fromEntries(
  TARGET_CASES.map((c) => [
    demoHex(c.key),
    { case: c.case, title: c.title, outcome: c.outcome, currency: c.currency, total: c.total, ...(c.gap ? { gap: c.gap } : {}) },
  ]),
);
