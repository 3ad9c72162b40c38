import { beforeAll, describe, expect, it } from 'vitest';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { buildConnectorSchema } from '../../src/graphql/schema.js';
import { costLimitRule, DEFAULT_LIMITS, depthLimitRule } from '../../src/graphql/limits.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildConnectorSchema();
});

/** The cost the rule computes, read from its refusal with a limit of 0. */
function costOf(query: string): number {
  const errors = validate(schema, parse(query), [costLimitRule({ ...DEFAULT_LIMITS, maxCost: 0 })]);
  return errors.length === 0 ? 0 : (errors[0]!.extensions.cost as number);
}
function depthOf(query: string): number {
  const errors = validate(schema, parse(query), [depthLimitRule({ maxDepth: 0, maxIntrospectionDepth: 100 })]);
  return errors.length === 0 ? 0 : (errors[0]!.extensions.depth as number);
}

describe('cost estimate', () => {
  it('prices scalars at 0, objects at 1, the rows a connection reads at 1 each, and multiplies a page by first', () => {
    // postings 5 + 10 rows read + totalCount (a count scans the rows: 100)
    expect(costOf('{ postings(first: 10) { totalCount } }')).toBe(5 + 10 + 100);
    // postings 5 + 10 rows + edges 1 + 10 × node 1
    expect(costOf('{ postings(first: 10) { edges { node { id amount } } } }')).toBe(5 + 10 + 1 + 10 * 1);
    // the argument's default (50) when first is omitted
    expect(costOf('{ postings { edges { node { id } } } }')).toBe(5 + 50 + 1 + 50 * 1);
    // each posting: node 1 + timeline 20
    expect(costOf('{ postings(first: 10) { edges { node { timeline { id } } } } }')).toBe(5 + 10 + 1 + 10 * (1 + 20));
    // a list query reads its rows even when only scalars are selected
    expect(costOf('{ dimensions { id } }')).toBe(10 + 200);
    expect(costOf('{ mappingGaps { code } }')).toBe(50 + 50);
  });

  it('counts the rows of every alias: 1,000 aliases of postings(first: 100) { totalCount } cost 205,000', () => {
    const aliases = (n: number, first: number) => `{ ${Array.from({ length: n }, (_, i) => `p${i}: postings(first: ${first}) { totalCount }`).join(' ')} }`;
    expect(costOf(aliases(1_000, 100))).toBe(1_000 * (5 + 100 + 100));
    expect(costOf(aliases(1_000, 1))).toBe(1_000 * (5 + 1 + 100));
    expect(costOf(aliases(1_000, 100))).toBeGreaterThan(DEFAULT_LIMITS.maxCost);
    // 48 small counts still fit (a dashboard may ask a few).
    expect(costOf(aliases(48, 1))).toBeLessThanOrEqual(DEFAULT_LIMITS.maxCost);
  });

  it('costs a typical detailed page of 50 about 2,700, as docs/graphql.md says', () => {
    const cost = costOf(
      '{ postings(first: 50) { edges { node { id status timeline { type data } journalEntry { lines { accountNo dimensions { target value } } } } } } }',
    );
    // 50 rows + node 1 + timeline 20 + journalEntry (20 + lines (1 + 10 × dimensions 1)) = 52 per posting
    expect(cost).toBe(5 + 50 + 1 + 50 * (1 + 20 + (20 + 1 + 10 * 1)));
    expect(cost).toBeGreaterThan(2_000);
    expect(cost).toBeLessThan(3_000);
  });

  it('adds aliases and counts a fragment where it is spread', () => {
    const one = costOf('{ postings(first: 10) { edges { node { timeline { id } } } } }');
    expect(costOf('{ a: postings(first: 10) { edges { node { timeline { id } } } } b: postings(first: 10) { edges { node { timeline { id } } } } }')).toBe(
      2 * one,
    );
    expect(costOf('fragment T on Posting { timeline { id } } { postings(first: 10) { edges { node { ...T } } } }')).toBe(one);
  });
});

describe('depth', () => {
  it('counts data fields, ignores __typename, and follows fragments', () => {
    expect(depthOf('{ postings { totalCount } }')).toBe(2);
    expect(depthOf('{ postings { edges { node { journalEntry { lines { dimensions { value __typename } } } } } } }')).toBe(7);
    expect(depthOf('fragment L on JournalLine { dimensions { value } } { postings { edges { node { journalEntry { lines { ...L } } } } } }')).toBe(7);
  });
});
