import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { JobStatus } from '../../application/connector-api.js';
import type { GraphqlContext } from '../context.js';
import { badInput, notFound } from '../errors.js';
import { endOfDay } from '../input.js';
import { redactValue } from '../redact.js';
import { DateScalar } from '../scalars.js';
import { ReferenceKind, REFERENCE_KIND_NAMES } from '../types/enums.js';
import { DimensionType, JobType, ProjectionStatusType, StatisticsRowType, SyncRunType } from '../types/operations.js';
import type { DocumentStatus } from '../types/enums.js';

/** Backfills ask Concur for every document in the range; a year is already a large run. */
const MAX_BACKFILL_DAYS = 366;

export const toJob = (job: JobStatus, secrets: readonly string[]): JobType => ({
  ...job,
  items: job.items.map((i) => redactValue(i, secrets) as string),
  error: job.error === null ? null : (redactValue(job.error, secrets) as string),
  step: job.step ? (redactValue(job.step, secrets) as string) : null,
  counts: job.counts ?? null,
  progress: job.total ? Math.min(1, job.processed / job.total) : job.state === 'succeeded' ? 1 : null,
});

@Resolver()
export class OperationsResolver {
  @Authorized('viewer')
  @Query(() => [DimensionType], { description: 'Cached Intacct dimension values and master records, optionally of one kind.' })
  dimensions(@Ctx() ctx: GraphqlContext, @Arg('kind', () => ReferenceKind, { nullable: true }) kind: ReferenceKind | null): DimensionType[] {
    if (kind === ReferenceKind.DIMENSIONS) {
      const dimensionKinds = new Set(
        ['GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'CUSTOMER', 'CLASS'].map((k) => REFERENCE_KIND_NAMES[k as ReferenceKind]),
      );
      return ctx.api.dimensions().filter((d) => dimensionKinds.has(d.kind.toLowerCase()));
    }
    return ctx.api.dimensions(kind ? REFERENCE_KIND_NAMES[kind] : undefined);
  }

  @Authorized('viewer')
  @Query(() => [StatisticsRowType], { description: 'Counts and exact amounts per day (of last change, UTC), status and currency.' })
  async statistics(
    @Ctx() ctx: GraphqlContext,
    @Arg('from', () => DateScalar, { nullable: true }) from: string | null,
    @Arg('to', () => DateScalar, { nullable: true }) to: string | null,
  ): Promise<StatisticsRowType[]> {
    if (from && to && from > to) throw badInput(`"from" (${from}) is after "to" (${to})`, 'from');
    return (await ctx.api.statistics(from ?? undefined, to ? endOfDay(to) : undefined)).map((r) => ({ ...r, status: r.status as DocumentStatus }));
  }

  @Authorized('viewer')
  @Query(() => [SyncRunType], { description: 'Reference-data synchronisation runs, newest first.' })
  async syncRuns(@Ctx() ctx: GraphqlContext): Promise<SyncRunType[]> {
    return (await ctx.api.syncRuns()).map((r) => ({
      ...r,
      mode: r.mode ?? 'full',
      report: r.report ?? [],
      errors: r.errors.map((e) => redactValue(e, ctx.secrets) as string),
    }));
  }

  @Authorized('viewer')
  @Query(() => [ProjectionStatusType], { description: 'Read models: version, position, lag and rebuild state.' })
  async projections(@Ctx() ctx: GraphqlContext): Promise<ProjectionStatusType[]> {
    return ctx.api.projections();
  }

  @Authorized('viewer')
  @Query(() => JobType, { nullable: true, description: 'A backfill, sync or replay job by id; null when unknown.' })
  job(@Ctx() ctx: GraphqlContext, @Arg('id', () => ID) id: string): JobType | null {
    const job = ctx.api.job(id);
    return job ? toJob(job, ctx.secrets) : null;
  }

  @Authorized('operator')
  @Mutation(() => ProjectionStatusType, { description: 'Rebuilds a read model from the event log while the old one keeps serving.' })
  async replayProjection(@Ctx() ctx: GraphqlContext, @Arg('name', () => String) name: string): Promise<ProjectionStatusType> {
    const known = (await ctx.api.projections()).map((p) => p.name);
    if (!known.includes(name)) throw notFound(`No projection named "${name}": known projections are ${known.join(', ') || '(none)'}`);
    return ctx.api.replayProjection(name, ctx.principal.actor);
  }

  @Authorized('operator')
  @Mutation(() => JobType, { description: 'Fetches and posts Concur documents approved in a date range; run with dryRun: true first to see what it would do.' })
  async backfill(
    @Ctx() ctx: GraphqlContext,
    @Arg('from', () => DateScalar) from: string,
    @Arg('to', () => DateScalar) to: string,
    @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false }) dryRun: boolean | null,
  ): Promise<JobType> {
    if (from > to) throw badInput(`"from" (${from}) is after "to" (${to})`, 'from');
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
    if (days > MAX_BACKFILL_DAYS) throw badInput(`The range ${from}..${to} spans ${days} days; backfill at most ${MAX_BACKFILL_DAYS} days per job`, 'to');
    return toJob(await ctx.api.backfill(from, to, dryRun ?? false, ctx.principal.actor), ctx.secrets);
  }

  @Authorized('operator')
  @Mutation(() => JobType, { description: 'Synchronises reference data now (all kinds when none are given).' })
  async syncReferenceData(
    @Ctx() ctx: GraphqlContext,
    @Arg('kinds', () => [ReferenceKind], { nullable: true }) kinds: ReferenceKind[] | null,
    @Arg('full', () => Boolean, {
      nullable: true,
      description: 'Read every kind whole (the reconcile that finds deleted records), not only what changed since the last run.',
    })
    full: boolean | null,
  ): Promise<JobType> {
    const names = [
      ...new Set((kinds?.length ? kinds : [ReferenceKind.EMPLOYEE, ReferenceKind.VENDOR, ReferenceKind.DIMENSIONS]).map((k) => REFERENCE_KIND_NAMES[k])),
    ];
    return toJob(await ctx.api.syncReferenceData(names, ctx.principal.actor, { full: full === true }), ctx.secrets);
  }
}
