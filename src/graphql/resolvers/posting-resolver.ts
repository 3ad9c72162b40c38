import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { PostingRow } from '../../projections/posting-queries.js';
import { timelineOf, type GraphqlContext } from '../context.js';
import { apiError, notFound } from '../errors.js';
import { checkPage, toPostingFilter } from '../input.js';
import { attemptsOf, confirmationOf, journalEntryOf, mappingEvaluationOf, recordsOf, reversalEntryOf, toTimelineEvent } from '../posting-details.js';
import { redactValue } from '../redact.js';
import { selectsField } from '../selection.js';
import { DateScalar } from '../scalars.js';
import { MappingSetType } from '../types/operations.js';
import {
  ConcurConfirmationType,
  IntacctRecordType,
  JournalEntryType,
  Posting,
  PostingAttemptType,
  PostingConnection,
  PostingErrorType,
  PostingFilterInput,
  TimelineEventType,
} from '../types/posting.js';
import { toMappingSet } from './mapping-resolver.js';

/** Statuses from which a person may ask for another attempt. */
const RETRYABLE = new Set(['FAILED', 'REJECTED', 'AWAITING_MAPPING']);

@Resolver(() => Posting)
export class PostingResolver {
  @Authorized('viewer')
  @Query(() => PostingConnection, { description: 'Postings, newest first, filtered; Relay cursor pagination (first ≤ 100).' })
  async postings(
    @Ctx() ctx: GraphqlContext,
    @Arg('filter', () => PostingFilterInput, { nullable: true }) filter: PostingFilterInput | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Info() info: GraphQLResolveInfo,
  ): Promise<PostingConnection> {
    const page = checkPage(first, after);
    const totalCount = selectsField(info, 'totalCount');
    const result = await ctx.api.listPostings(toPostingFilter(filter), page.first, page.after, { totalCount });
    return {
      edges: result.rows.map(({ cursor, ...row }) => ({ cursor, node: row as Posting })),
      pageInfo: { hasNextPage: result.hasNextPage, endCursor: result.endCursor },
      // Only read when selected, and then it was counted.
      totalCount: result.totalCount ?? 0,
    };
  }

  @Authorized('viewer')
  @Query(() => Posting, { nullable: true, description: 'One posting by stream id, posting key or Concur document id; null when unknown.' })
  posting(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string): Posting | null {
    return ctx.api.getPosting(id) as Posting | null;
  }

  @Authorized('operator')
  @Mutation(() => Posting, {
    description:
      'Asks for another attempt now: a REJECTED or AWAITING_MAPPING document is evaluated again with the mappings and reference data of now (the entry sent is the one shown); a FAILED one is attempted again at once. `batchDate` (with a `reason`) posts this one document on that date, e.g. the first open date after a closed period; the original date stays in the batch title and the timeline.',
  })
  async retryPosting(
    @Ctx() ctx: GraphqlContext,
    @Arg('id', () => ID) id: string,
    @Arg('batchDate', () => DateScalar, { nullable: true }) batchDate: string | null,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
  ): Promise<Posting> {
    const current = ctx.api.getPosting(id);
    if (!current) throw notFound(`No posting with id "${id}": use a posting id, posting key or Concur document id from the postings query`);
    if (!RETRYABLE.has(current.status)) {
      throw apiError(
        'CONFLICT',
        `Posting ${current.id} is ${current.status}${current.intacctRecordNo ? ` (Intacct RECORDNO ${current.intacctRecordNo})` : ''}: only FAILED, REJECTED or AWAITING_MAPPING postings can be retried`,
        {
          status: current.status,
        },
      );
    }
    return (await ctx.api.retryPosting(current.id, ctx.principal.actor, { batchDate, reason })) as Posting;
  }

  @FieldResolver(() => [TimelineEventType], { description: 'Every recorded fact about the document, in order (secrets redacted).' })
  async timeline(@Root() posting: PostingRow, @Ctx() ctx: GraphqlContext): Promise<TimelineEventType[]> {
    return (await timelineOf(ctx, posting.id)).map((e) => toTimelineEvent(e, ctx.secrets));
  }

  @FieldResolver(() => JournalEntryType, { nullable: true, description: 'The journal entry as sent to Intacct (or as prepared, before sending).' })
  async journalEntry(@Root() posting: PostingRow, @Ctx() ctx: GraphqlContext): Promise<JournalEntryType | null> {
    return journalEntryOf(await timelineOf(ctx, posting.id));
  }

  @FieldResolver(() => [IntacctRecordType], {
    description: 'Every Intacct record the document becomes (type, key, RECORDNO, state, last error), then the reversals of a replaced version.',
  })
  async records(@Root() posting: PostingRow, @Ctx() ctx: GraphqlContext): Promise<IntacctRecordType[]> {
    return recordsOf(await timelineOf(ctx, posting.id), ctx.secrets);
  }

  @FieldResolver(() => JournalEntryType, { nullable: true, description: 'The reversal of the posted entry, after a recall and resubmission.' })
  async reversalEntry(@Root() posting: PostingRow, @Ctx() ctx: GraphqlContext): Promise<JournalEntryType | null> {
    return reversalEntryOf(await timelineOf(ctx, posting.id));
  }

  @FieldResolver(() => [PostingAttemptType], { description: 'Every gateway attempt with its request and response XML (secrets redacted).' })
  async attemptLog(@Root() posting: PostingRow, @Ctx() ctx: GraphqlContext): Promise<PostingAttemptType[]> {
    return attemptsOf(await timelineOf(ctx, posting.id), ctx.secrets);
  }

  @FieldResolver(() => ConcurConfirmationType, { nullable: true })
  async concurConfirmation(@Root() posting: PostingRow, @Ctx() ctx: GraphqlContext): Promise<ConcurConfirmationType | null> {
    return confirmationOf(await timelineOf(ctx, posting.id));
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Revision of the mapping set the entry (or the gap list) was computed with.' })
  async mappingRevision(@Root() posting: PostingRow, @Ctx() ctx: GraphqlContext): Promise<number | null> {
    return mappingEvaluationOf(await timelineOf(ctx, posting.id))?.revision ?? null;
  }

  @FieldResolver(() => MappingSetType, { nullable: true, description: 'The mapping set as it stood when the document was last evaluated.' })
  async mappingUsed(@Root() posting: PostingRow, @Ctx() ctx: GraphqlContext): Promise<MappingSetType | null> {
    const evaluation = mappingEvaluationOf(await timelineOf(ctx, posting.id));
    return evaluation ? toMappingSet(await ctx.api.mappings(evaluation.at)) : null;
  }

  @FieldResolver(() => PostingErrorType, { nullable: true })
  lastError(@Root() posting: PostingRow, @Ctx() ctx: GraphqlContext): PostingErrorType | null {
    return posting.lastError ? (redactValue(posting.lastError, ctx.secrets) as PostingErrorType) : null;
  }
}
