import { Field, Int, ObjectType } from 'type-graphql';
import { DateScalar, DateTimeScalar } from '../scalars.js';
import { DocumentStatus } from './enums.js';
import { Posting } from './posting.js';

/** Types behind the operator console: who is calling, the overview, connection health, the audit report. */

@ObjectType('Me', { description: 'The caller: the API token name and role (the sandbox signs in as admin "sandbox").' })
export class MeType {
  @Field(() => String)
  name!: string;
  @Field(() => String, { description: 'viewer, operator or admin' })
  role!: string;
  @Field(() => Boolean, { description: 'True when the service runs against the in-process simulators.' })
  sandbox!: boolean;
}

@ObjectType('StatusCount')
export class StatusCountType {
  @Field(() => DocumentStatus)
  status!: DocumentStatus;
  @Field(() => Int)
  count!: number;
}

@ObjectType('HourCount')
export class HourCountType {
  @Field(() => DateTimeScalar, { description: 'Start of the hour (UTC).' })
  hour!: string;
  @Field(() => Int)
  count!: number;
}

@ObjectType('HealthCheck', { description: 'One connection or component, as last checked (the /readyz checks).' })
export class HealthCheckType {
  @Field(() => String, { description: 'event-store, projections, concur or intacct' })
  name!: string;
  @Field(() => Boolean)
  ok!: boolean;
  @Field(() => String)
  detail!: string;
  @Field(() => DateTimeScalar, { description: 'When this result was taken; results older than 30 s are refreshed in the background.' })
  checkedAt!: string;
}

@ObjectType('IntacctPurposeUsage', { description: 'Intacct API transactions of one purpose in a month.' })
export class IntacctPurposeUsageType {
  @Field(() => String, { description: 'posting, read-back, reference-sync, master-data, session, attachments, payments or unattributed' })
  purpose!: string;
  @Field(() => Int)
  transactions!: number;
}

@ObjectType('IntacctUsage', { description: 'Intacct API transactions (functions executed, sessions opened) counted by this service.' })
export class IntacctUsageType {
  @Field(() => String, { description: 'YYYY-MM (UTC)' })
  month!: string;
  @Field(() => Int)
  transactions!: number;
  @Field(() => [IntacctPurposeUsageType], { description: 'The month by purpose, largest first.' })
  byPurpose!: IntacctPurposeUsageType[];
  @Field(() => DateTimeScalar, { description: 'When the counter started; it is kept in the data dir across restarts.' })
  countingSince!: string;
}

@ObjectType('Overview', { description: "The console's first page in one request." })
export class OverviewType {
  @Field(() => DateTimeScalar)
  generatedAt!: string;
  @Field(() => DateTimeScalar)
  dayStart!: string;
  @Field(() => DateTimeScalar)
  monthStart!: string;
  @Field(() => [StatusCountType], { description: 'Documents by status, last changed since dayStart.' })
  today!: StatusCountType[];
  @Field(() => [StatusCountType], { description: 'Documents by status, last changed since monthStart.' })
  month!: StatusCountType[];
  @Field(() => [HourCountType], { description: 'Documents posted in each of the last 24 hours.' })
  postedPerHour!: HourCountType[];
  @Field(() => Posting, { nullable: true, description: 'The document waiting longest (any status that is not final).' })
  oldestWaiting!: Posting | null;
  @Field(() => [Posting], { description: 'The latest REJECTED documents, newest first.' })
  latestRejections!: Posting[];
  @Field(() => [HealthCheckType])
  health!: HealthCheckType[];
  @Field(() => IntacctUsageType)
  intacctUsage!: IntacctUsageType;
}

@ObjectType('NamedDimension', { description: 'A dimension value with its name from the reference cache.' })
export class NamedDimensionType {
  @Field(() => String)
  target!: string;
  @Field(() => String)
  value!: string;
  @Field(() => String, { nullable: true })
  name!: string | null;
}

@ObjectType('AuditLine')
export class AuditLineType {
  @Field(() => String)
  accountNo!: string;
  @Field(() => String, { nullable: true })
  accountName!: string | null;
  @Field(() => Int, { description: '1 = debit, -1 = credit' })
  trType!: number;
  @Field(() => String)
  amount!: string;
  @Field(() => String)
  memo!: string;
  @Field(() => [NamedDimensionType])
  dimensions!: NamedDimensionType[];
}

@ObjectType('AuditEntry', { description: 'One posted Intacct record: its document and its lines as sent to Intacct (a document may be several records).' })
export class AuditEntryType {
  @Field(() => Posting)
  posting!: Posting;
  @Field(() => String, { description: 'GLBATCH, EEXPENSES, APBILL or CCTRANSACTION.' })
  target!: string;
  @Field(() => String)
  postingKey!: string;
  @Field(() => String, { nullable: true })
  recordNo!: string | null;
  @Field(() => DateScalar)
  batchDate!: string;
  @Field(() => String)
  batchTitle!: string;
  @Field(() => String)
  journal!: string;
  @Field(() => String)
  currency!: string;
  @Field(() => String)
  total!: string;
  @Field(() => [AuditLineType])
  lines!: AuditLineType[];
}

@ObjectType('AuditTotal', { description: 'Debits and credits per currency, account and set of dimensions.' })
export class AuditTotalType {
  @Field(() => String)
  currency!: string;
  @Field(() => String)
  accountNo!: string;
  @Field(() => String, { nullable: true })
  accountName!: string | null;
  @Field(() => [NamedDimensionType])
  dimensions!: NamedDimensionType[];
  @Field(() => String)
  debit!: string;
  @Field(() => String)
  credit!: string;
  @Field(() => Int)
  lines!: number;
}

@ObjectType('AuditMappingChange', { description: 'A mapping change made in the report range.' })
export class AuditMappingChangeType {
  @Field(() => Int)
  revision!: number;
  @Field(() => String)
  type!: string;
  @Field(() => String, { nullable: true })
  section!: string | null;
  @Field(() => String, { nullable: true })
  key!: string | null;
  @Field(() => String, { nullable: true, description: 'JSON of the new value; the whole set for an import; null or "null" for a removal.' })
  value!: string | null;
  @Field(() => String)
  reason!: string;
  @Field(() => String)
  actor!: string;
  @Field(() => DateTimeScalar)
  occurredAt!: string;
}

@ObjectType('AuditReport', { description: 'Every entry posted with a GL batch date in the range, totals, and the mapping changes made in it.' })
export class AuditReportType {
  @Field(() => DateScalar)
  from!: string;
  @Field(() => DateScalar)
  to!: string;
  @Field(() => DateTimeScalar)
  generatedAt!: string;
  @Field(() => [AuditEntryType])
  entries!: AuditEntryType[];
  @Field(() => [AuditTotalType])
  totals!: AuditTotalType[];
  @Field(() => [AuditMappingChangeType])
  mappingChanges!: AuditMappingChangeType[];
  @Field(() => String, { description: 'The whole report as CSV (three blocks with header rows; formula-like cells neutralised).' })
  csv!: string;
}
