import type { RecordedEvent } from '../../src/domain/events/envelope.js';
import { newEvent, type NewEvent } from '../../src/domain/events/envelope.js';
import { prepareCached, type Projection, type ProjectionContext } from '../../src/projections/projection.js';

/**
 * A test read model: per account, how many deposits and the balance in cents (integers, exact).
 * Version 2 also counts withdrawals, so a version bump visibly changes the read model.
 */
export function accountTotals(options: { version?: number; failAt?: { position: bigint; times: number } } = {}): Projection {
  const version = options.version ?? 1;
  const fail = options.failAt;
  return {
    name: 'account_totals',
    version,
    eventTypes: version >= 2 ? ['Deposited', 'Withdrawn'] : ['Deposited'],
    tables: ['account_totals'],
    setup(ctx: ProjectionContext) {
      ctx.db.exec(`CREATE TABLE ${ctx.table('account_totals')} (account TEXT PRIMARY KEY, deposits INTEGER NOT NULL, balance_cents INTEGER NOT NULL)`);
    },
    apply(event: RecordedEvent, ctx: ProjectionContext) {
      if (fail && event.position === fail.position && fail.times > 0) {
        fail.times--;
        throw new Error('simulated crash inside apply');
      }
      const data = event.data as { account: string; cents: number };
      const delta = event.type === 'Withdrawn' ? -data.cents : data.cents;
      prepareCached(
        ctx,
        `INSERT INTO ${ctx.table('account_totals')} (account, deposits, balance_cents) VALUES (?, ?, ?)
         ON CONFLICT(account) DO UPDATE SET deposits = deposits + excluded.deposits, balance_cents = balance_cents + excluded.balance_cents`,
      ).run(data.account, event.type === 'Deposited' ? 1 : 0, delta);
    },
  };
}

/** Index (= position in a fresh store) of the first event at or after `from` that version 1 applies. */
export function firstDepositFrom(events: readonly NewEvent[], from: number): number {
  const index = events.findIndex((e, i) => i >= from && e.type === 'Deposited');
  if (index < 0) throw new Error(`no Deposited event at or after ${from}`);
  return index;
}

/** Deterministic pseudo-random events (mulberry32), so a failing run can be reproduced. */
export function randomEvents(count: number, seed: number, accounts = 20): NewEvent[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const types = ['Deposited', 'Deposited', 'Withdrawn', 'Noted'];
  return Array.from({ length: count }, () =>
    newEvent(
      types[Math.floor(next() * types.length)]!,
      { account: `acct-${Math.floor(next() * accounts)}`, cents: 1 + Math.floor(next() * 100_000) },
      { actor: 'test' },
    ),
  );
}

/** The expected read model computed directly from the events, in JS. */
export function expectedTotals(events: readonly NewEvent[], version = 1): Row[] {
  const rows = new Map<string, Row>();
  for (const e of events) {
    if (e.type !== 'Deposited' && !(version >= 2 && e.type === 'Withdrawn')) continue;
    const { account, cents } = e.data as { account: string; cents: number };
    const row = rows.get(account) ?? { account, deposits: 0, balance_cents: 0 };
    row.deposits += e.type === 'Deposited' ? 1 : 0;
    row.balance_cents += e.type === 'Withdrawn' ? -cents : cents;
    rows.set(account, row);
  }
  return [...rows.values()].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
}

export interface Row {
  account: string;
  deposits: number;
  balance_cents: number;
}
