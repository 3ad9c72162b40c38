import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { PostingRow } from '../../projections/posting-queries.js';
import type { GraphqlContext } from '../context.js';
import { badInput } from '../errors.js';
import { redactValue } from '../redact.js';
import { DateScalar, DateTimeScalar } from '../scalars.js';
import { AuditReportType, HealthCheckType, IntacctUsageType, MeType, OverviewType } from '../types/console.js';
import type { DocumentStatus } from '../types/enums.js';
import { JobType } from '../types/operations.js';
import { DimensionValueType, JournalLineType, Posting } from '../types/posting.js';
import { KIND_OF_TARGET } from '../../domain/reference/events.js';
import type { ReferenceTarget } from '../../domain/posting/types.js';
import { toJob } from './operations-resolver.js';

/** The longest audit report range: a year of GL dates. */
const MAX_REPORT_DAYS = 366;

/** Queries behind the operator console (and the CLI's `report`); the work is in app/reporting.ts. */
@Resolver()
export class ConsoleResolver {
  @Authorized('viewer')
  @Query(() => MeType, { description: 'Who the token belongs to and its role; whether this is the sandbox.' })
  me(@Ctx() ctx: GraphqlContext): MeType {
    return { name: ctx.principal.name, role: ctx.principal.role, sandbox: ctx.sandbox ?? false };
  }

  @Authorized('viewer')
  @Query(() => OverviewType, {
    description:
      'Documents by status today and this month, postings per hour, the oldest waiting document, the latest rejections, connection health and Intacct usage.',
  })
  async overview(
    @Ctx() ctx: GraphqlContext,
    @Arg('dayStart', () => DateTimeScalar, { nullable: true, description: 'Start of "today" in the caller\'s time zone (default: UTC midnight).' }) dayStart:
      | string
      | null,
    @Arg('monthStart', () => DateTimeScalar, { nullable: true, description: 'Start of "this month" in the caller\'s time zone (default: UTC).' }) monthStart:
      | string
      | null,
  ): Promise<OverviewType> {
    const o = await ctx.api.reporting.overview({ dayStart: dayStart ?? undefined, monthStart: monthStart ?? undefined });
    return {
      ...o,
      today: o.today.map((c) => ({ status: c.status as DocumentStatus, count: c.count })),
      month: o.month.map((c) => ({ status: c.status as DocumentStatus, count: c.count })),
      postedPerHour: o.postedPerHour.map((h) => ({ hour: `${h.hour}:00:00.000Z`, count: h.count })),
      oldestWaiting: o.oldestWaiting as Posting | null,
      latestRejections: o.latestRejections as Posting[],
      health: redactValue(o.health, ctx.secrets) as HealthCheckType[],
    };
  }

  @Authorized('viewer')
  @Query(() => [HealthCheckType], { description: 'Store, projections, Concur and Intacct as last checked, with when.' })
  async health(@Ctx() ctx: GraphqlContext): Promise<HealthCheckType[]> {
    return redactValue(await ctx.api.reporting.health(), ctx.secrets) as HealthCheckType[];
  }

  @Authorized('viewer')
  @Query(() => IntacctUsageType, { description: 'Intacct API transactions used this month (UTC), as counted by this process.' })
  intacctUsage(@Ctx() ctx: GraphqlContext): IntacctUsageType {
    return ctx.api.reporting.intacctUsage();
  }

  @Authorized('viewer')
  @Query(() => AuditReportType, {
    description:
      'Every entry with an Intacct RECORDNO whose GL batch date is from..to, totals per account and dimension, and who changed which mapping when; also as CSV.',
  })
  async auditReport(
    @Ctx() ctx: GraphqlContext,
    @Arg('from', () => DateScalar) from: string,
    @Arg('to', () => DateScalar) to: string,
  ): Promise<AuditReportType> {
    if (from > to) throw badInput(`"from" (${from}) is after "to" (${to})`, 'from');
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
    if (days > MAX_REPORT_DAYS) throw badInput(`The range ${from}..${to} spans ${days} days; a report covers at most ${MAX_REPORT_DAYS} days`, 'to');
    try {
      const report = await ctx.api.reporting.auditReport(from, to);
      return redactValue({ ...report, entries: report.entries.map((e) => ({ ...e, posting: e.posting as Posting })) }, ctx.secrets) as AuditReportType;
    } catch (error) {
      if (error instanceof RangeError) throw badInput(error.message, 'to');
      throw error;
    }
  }

  @Authorized('viewer')
  @Query(() => [JobType], { description: 'Backfill, sync and replay jobs started since the service started, newest first.' })
  jobs(@Ctx() ctx: GraphqlContext): JobType[] {
    return ctx.api.listJobs().map((j) => toJob(j, ctx.secrets));
  }
}

/** Posting fields the console shows beside the read model's. */
@Resolver(() => Posting)
export class PostingConsoleFields {
  @FieldResolver(() => String, {
    nullable: true,
    description: "The employee's name from the Intacct employee cache (Concur id mapped through the employees section).",
  })
  employeeName(@Root() posting: PostingRow, @Ctx() ctx: GraphqlContext): string | null {
    return posting.employeeId ? ctx.api.reporting.employeeName(posting.employeeId) : null;
  }
}

/** Names from the Intacct reference cache beside the account and dimension values of an entry. */
@Resolver(() => JournalLineType)
export class JournalLineNames {
  @FieldResolver(() => String, { nullable: true, description: 'The GL account name from the Intacct reference cache.' })
  accountName(@Root() line: JournalLineType, @Ctx() ctx: GraphqlContext): string | null {
    return ctx.api.reporting.referenceName('GLACCOUNT', line.accountNo);
  }
}

@Resolver(() => DimensionValueType)
export class DimensionValueNames {
  @FieldResolver(() => String, { nullable: true, description: 'The name of the value from the Intacct reference cache (none for ITEMID).' })
  name(@Root() dimension: DimensionValueType, @Ctx() ctx: GraphqlContext): string | null {
    const kind = KIND_OF_TARGET[dimension.target as ReferenceTarget];
    return kind ? ctx.api.reporting.referenceName(kind, dimension.value) : null;
  }
}
