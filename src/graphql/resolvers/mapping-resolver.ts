import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { MAPPING_SECTIONS } from '../../domain/mapping/model.js';
import type { PostingRow } from '../../projections/posting-queries.js';
import type { GraphqlContext } from '../context.js';
import { badInput } from '../errors.js';
import { nonBlank } from '../input.js';
import { DateTimeScalar, JSONScalar } from '../scalars.js';
import type { MappingChangeResult } from '../../application/connector-api.js';
import { MappingImportMode, toDiffEntries } from '../types/mapping-diff.js';
import { MappingChangeType, MappingGapGroupType, MappingHistoryEntryType, MappingSetType } from '../types/operations.js';

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
  if (!(MAPPING_SECTIONS as readonly string[]).includes(s))
    throw badInput(`Unknown mapping section "${section}": use one of ${MAPPING_SECTIONS.join(', ')}`, 'section');
  return s;
}

const reasonOr = (reason: string | null | undefined, fallback: string): string => (reason && reason.trim() ? reason.trim() : fallback);

@Resolver()
export class MappingResolver {
  @Authorized('viewer')
  @Query(() => [MappingGapGroupType], { description: 'Missing mappings grouped by code and field, with the documents waiting for each, most documents first.' })
  async mappingGaps(@Ctx() ctx: GraphqlContext): Promise<MappingGapGroupType[]> {
    const groups = new Map<string, MappingGapGroupType & { ids: Set<string> }>();
    let after: string | undefined;
    let scanned = 0;
    do {
      const page = await ctx.api.listPostings({ status: ['AWAITING_MAPPING'] }, 500, after);
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
  @Query(() => [MappingHistoryEntryType], { description: 'Every mapping change, newest first: who, when, what (the diff of each revision) and why.' })
  async mappingHistory(@Ctx() ctx: GraphqlContext): Promise<MappingHistoryEntryType[]> {
    return (await ctx.api.mappingHistory()).map((h) => ({ ...h, diff: toDiffEntries(h.diff) }));
  }

  @Authorized('admin')
  @Mutation(() => MappingChangeType, {
    description:
      'Sets one entry, e.g. section "accounts", key "01028", value "6500", or section "targets", key "expense.outOfPocket", value "EEXPENSES" (object values such as a counterparty or a dimension rule: pass them as a JSON variable). ' +
      'Intacct values are checked against the reference cache; an unknown or inactive one is refused with the closest active values, unless force is true with a reason. Waiting documents are re-evaluated.',
  })
  async setMapping(
    @Ctx() ctx: GraphqlContext,
    @Arg('section', () => String) section: string,
    @Arg('key', () => String) key: string,
    @Arg('value', () => JSONScalar) value: unknown,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Arg('force', () => Boolean, { nullable: true, defaultValue: false, description: 'Record values the reference cache refuses (needs a reason).' }) force:
      | boolean
      | null,
  ): Promise<MappingChangeType> {
    if (value === null || value === undefined) throw badInput('value must not be null: use removeMapping to delete an entry', 'value');
    const why = force ? forcedReason(reason) : reasonOr(reason, 'set through the GraphQL API');
    const result = await ctx.api.setMapping(checkSection(section), key.trim(), value, why, ctx.principal.actor, { force: force === true });
    return toChange(result, ctx.principal.actor, why);
  }

  @Authorized('admin')
  @Mutation(() => MappingChangeType, { description: 'Removes one entry; removing a `targets` key (e.g. "invoice") puts its default, GLBATCH, back.' })
  async removeMapping(
    @Ctx() ctx: GraphqlContext,
    @Arg('section', () => String) section: string,
    @Arg('key', () => String) key: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
  ): Promise<MappingChangeType> {
    const why = reasonOr(reason, 'removed through the GraphQL API');
    const result = await ctx.api.removeMapping(checkSection(section), nonBlank(key, 'key'), why, ctx.principal.actor);
    return toChange(result, ctx.principal.actor, why);
  }

  @Authorized('admin')
  @Mutation(() => MappingChangeType, {
    description:
      'Imports a mapping set (the JSON of docs/posting-rules.md, Mapping set). MERGE (default): sections and keys in the file override, the rest is kept; REPLACE: the file is the whole set. ' +
      'dryRun: answers with the diff and records nothing. An import that changes nothing records nothing (changed: false).',
  })
  async importMappings(
    @Ctx() ctx: GraphqlContext,
    @Arg('json', () => String) json: string,
    @Arg('mode', () => MappingImportMode, { nullable: true, defaultValue: MappingImportMode.MERGE }) mode: MappingImportMode | null,
    @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false }) dryRun: boolean | null,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Arg('force', () => Boolean, { nullable: true, defaultValue: false, description: 'Record values the reference cache refuses (needs a reason).' }) force:
      | boolean
      | null,
  ): Promise<MappingChangeType> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw badInput(`json is not valid JSON (${(error as Error).message}): pass the mapping set as exported by the mappings query or the CLI`, 'json');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw badInput('json must be a JSON object with the mapping set sections (journal, accounts, …)', 'json');
    const why = force ? forcedReason(reason) : reasonOr(reason, 'imported through the GraphQL API');
    const result = await ctx.api.importMappings(json, why, ctx.principal.actor, {
      mode: mode === MappingImportMode.REPLACE ? 'replace' : 'merge',
      dryRun: dryRun === true,
      force: force === true,
    });
    return toChange(result, ctx.principal.actor, why);
  }
}

/** A forced value goes into the audit trail: the person must say why, no default reason stands in. */
function forcedReason(reason: string | null | undefined): string {
  if (!reason || !reason.trim())
    throw badInput('force: true needs a reason: say why the value is recorded although Intacct does not have it (it is kept in the audit trail)', 'reason');
  return reason.trim();
}

const toChange = (result: MappingChangeResult, actor: string, reason: string): MappingChangeType => ({
  ...result,
  diff: toDiffEntries(result.diff),
  actor,
  reason,
});
