import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { MAPPING_SECTIONS } from '../../domain/mapping/model.js';
import type { PostingRow } from '../../projections/posting-queries.js';
import type { GraphqlContext } from '../context.js';
import { badInput } from '../errors.js';
import { nonBlank } from '../input.js';
import { DateTimeScalar, JSONScalar } from '../scalars.js';
import { MappingChangeType, MappingGapGroupType, MappingHistoryEntryType, MappingSetType } from '../types/operations.js';

/** Top-level sections of the mapping set JSON (docs/posting-rules.md, Mapping set). */
/** Waiting documents read for `mappingGaps`; beyond this the groups say so through documentCount only. */
const GAP_SCAN_LIMIT = 10_000;

export function toMappingSet(set: { json: string; revision: number; asOf: string | null }): MappingSetType {
  let document: unknown = null;
  try {
    document = JSON.parse(set.json);
  } catch {
    document = null;
  }
  return { json: set.json, document, revision: set.revision, asOf: set.asOf };
}

function checkSection(section: string): string {
  const s = section.trim();
  if (!(MAPPING_SECTIONS as readonly string[]).includes(s)) throw badInput(`Unknown mapping section "${section}": use one of ${MAPPING_SECTIONS.join(', ')}`, 'section');
  return s;
}

const reasonOr = (reason: string | null | undefined, fallback: string): string => (reason && reason.trim() ? reason.trim() : fallback);

@Resolver()
export class MappingResolver {
  @Authorized('viewer')
  @Query(() => [MappingGapGroupType], { description: 'Missing mappings grouped by code and field, with the documents waiting for each, most documents first.' })
  mappingGaps(@Ctx() ctx: GraphqlContext): MappingGapGroupType[] {
    const groups = new Map<string, MappingGapGroupType & { ids: Set<string> }>();
    let after: string | undefined;
    let scanned = 0;
    do {
      const page = ctx.api.listPostings({ status: ['AWAITING_MAPPING'] }, 500, after);
      for (const { cursor: _cursor, ...row } of page.rows) {
        for (const gap of row.gaps) {
          const key = `${gap.kind}\u0000${gap.field}\u0000${gap.code}`;
          let group = groups.get(key);
          if (!group) {
            group = { kind: gap.kind, code: gap.code, field: gap.field, message: gap.message, documentCount: 0, documents: [], ids: new Set() };
            groups.set(key, group);
          }
          if (!group.ids.has(row.id)) {
            group.ids.add(row.id);
            group.documentCount += 1;
            group.documents.push(row as PostingRow as MappingGapGroupType['documents'][number]);
          }
        }
      }
      scanned += page.rows.length;
      after = page.hasNextPage ? (page.endCursor ?? undefined) : undefined;
    } while (after && scanned < GAP_SCAN_LIMIT);
    return [...groups.values()]
      .sort((a, b) => b.documentCount - a.documentCount || a.field.localeCompare(b.field) || a.code.localeCompare(b.code))
      .map(({ ids: _ids, ...group }) => group);
  }

  @Authorized('viewer')
  @Query(() => MappingSetType, { description: 'The mapping set now, or as it stood at `asOf`.' })
  async mappings(@Ctx() ctx: GraphqlContext, @Arg('asOf', () => DateTimeScalar, { nullable: true }) asOf: string | null): Promise<MappingSetType> {
    return toMappingSet(await ctx.api.mappings(asOf ?? undefined));
  }

  @Authorized('viewer')
  @Query(() => [MappingHistoryEntryType], { description: 'Every mapping change: who, when, what and why.' })
  async mappingHistory(@Ctx() ctx: GraphqlContext): Promise<MappingHistoryEntryType[]> {
    return ctx.api.mappingHistory();
  }

  @Authorized('admin')
  @Mutation(() => MappingChangeType, { description: 'Sets one entry, e.g. section "accounts", key "01028", value "6500". Waiting documents are re-evaluated.' })
  async setMapping(
    @Ctx() ctx: GraphqlContext,
    @Arg('section', () => String) section: string,
    @Arg('key', () => String) key: string,
    @Arg('value', () => JSONScalar) value: unknown,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
  ): Promise<MappingChangeType> {
    if (value === null || value === undefined) throw badInput('value must not be null: use removeMapping to delete an entry', 'value');
    const why = reasonOr(reason, 'set through the GraphQL API');
    const revision = await ctx.api.setMapping(checkSection(section), key.trim(), value, why, ctx.principal.actor);
    return { revision, actor: ctx.principal.actor, reason: why };
  }

  @Authorized('admin')
  @Mutation(() => MappingChangeType)
  async removeMapping(
    @Ctx() ctx: GraphqlContext,
    @Arg('section', () => String) section: string,
    @Arg('key', () => String) key: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
  ): Promise<MappingChangeType> {
    const why = reasonOr(reason, 'removed through the GraphQL API');
    const revision = await ctx.api.removeMapping(checkSection(section), nonBlank(key, 'key'), why, ctx.principal.actor);
    return { revision, actor: ctx.principal.actor, reason: why };
  }

  @Authorized('admin')
  @Mutation(() => MappingChangeType, { description: 'Replaces the whole set with the given JSON (docs/posting-rules.md, Mapping set).' })
  async importMappings(
    @Ctx() ctx: GraphqlContext,
    @Arg('json', () => String) json: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
  ): Promise<MappingChangeType> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw badInput(`json is not valid JSON (${(error as Error).message}): pass the mapping set as exported by the mappings query or the CLI`, 'json');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badInput('json must be a JSON object with the mapping set sections (journal, accounts, …)', 'json');
    const why = reasonOr(reason, 'imported through the GraphQL API');
    const revision = await ctx.api.importMappings(json, why, ctx.principal.actor);
    return { revision, actor: ctx.principal.actor, reason: why };
  }
}
