import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateScalar, DateTimeScalar, JSONScalar } from '../scalars.js';
import { DocumentStatus } from './enums.js';
import { Posting } from './posting.js';
import { MappingDiffEntryType, MappingValueNoteType } from './mapping-diff.js';

@ObjectType('MappingSet', { description: 'The mapping set (JSON of docs/posting-rules.md) as it stood at a time.' })
export class MappingSetType {
  @Field(() => String, { description: 'The set as JSON text, ready for `importMappings` or the CLI.' })
  json!: string;
  @Field(() => JSONScalar, { description: 'The same set as a JSON value.' })
  document!: unknown;
  @Field(() => Int, { description: 'Revision of the mapping stream this set reflects.' })
  revision!: number;
  @Field(() => DateTimeScalar, { nullable: true })
  asOf!: string | null;
}

@ObjectType('MappingChange', { description: 'The outcome of a mapping mutation, derived from what was stored.' })
export class MappingChangeType {
  @Field(() => Int, { description: 'The mapping stream revision after the change (the current one when nothing changed, and for a dry run).' })
  revision!: number;
  @Field(() => String)
  actor!: string;
  @Field(() => String)
  reason!: string;
  @Field(() => Boolean, { description: 'Whether anything was recorded: false when the change changes nothing, and for every dry run.' })
  changed!: boolean;
  @Field(() => Boolean)
  dryRun!: boolean;
  @Field(() => String, { description: 'What happened, in one sentence ("No changes: …", "Dry run: 3 change(s) … would be recorded; nothing was changed.").' })
  message!: string;
  @Field(() => [MappingDiffEntryType], { description: 'What the change added, changed or removed (for a dry run: would).' })
  diff!: MappingDiffEntryType[];
  @Field(() => [MappingValueNoteType], {
    description: 'Values accepted without a check: the reference cache holds nothing for their kind yet. They are checked as gaps when documents arrive.',
  })
  unchecked!: MappingValueNoteType[];
  @Field(() => [MappingValueNoteType], {
    description: 'Values the reference cache refused, recorded because force was true (listed in the event, for the audit trail).',
  })
  forced!: MappingValueNoteType[];
}

@ObjectType('MappingHistoryEntry', { description: 'Who changed which mapping when, and why.' })
export class MappingHistoryEntryType {
  @Field(() => Int)
  revision!: number;
  @Field(() => String)
  type!: string;
  @Field(() => String, { nullable: true })
  section!: string | null;
  @Field(() => String, { nullable: true })
  key!: string | null;
  @Field(() => String, { nullable: true, description: 'The new value as JSON text; null for a removal.' })
  value!: string | null;
  @Field(() => String, { nullable: true })
  reason!: string | null;
  @Field(() => String)
  actor!: string;
  @Field(() => DateTimeScalar)
  occurredAt!: string;
  @Field(() => [MappingDiffEntryType], { description: 'What this revision added, changed or removed, with old and new values.' })
  diff!: MappingDiffEntryType[];
  @Field(() => [MappingValueNoteType], { description: 'Values recorded although the reference cache refused them (force).' })
  forced!: MappingValueNoteType[];
  @Field(() => [MappingValueNoteType], { description: 'Values recorded without a check (no reference data cached for their kind yet).' })
  unchecked!: MappingValueNoteType[];
}

@ObjectType('MappingGapGroup', { description: 'One missing mapping and every document waiting for it.' })
export class MappingGapGroupType {
  @Field(() => String)
  kind!: string;
  @Field(() => String)
  code!: string;
  @Field(() => String)
  field!: string;
  @Field(() => String)
  message!: string;
  @Field(() => Int)
  documentCount!: number;
  @Field(() => [Posting])
  documents!: Posting[];
}

@ObjectType('Dimension', { description: 'A cached Intacct dimension value or master record.' })
export class DimensionType {
  @Field(() => String)
  kind!: string;
  @Field(() => ID)
  id!: string;
  @Field(() => String, { nullable: true })
  name!: string | null;
  @Field(() => String, { description: 'active or inactive' })
  status!: string;
}

@ObjectType('StatisticsRow', { description: 'Counts and amounts per day (of last change, UTC), status and currency.' })
export class StatisticsRowType {
  @Field(() => DateScalar)
  day!: string;
  @Field(() => DocumentStatus)
  status!: DocumentStatus;
  @Field(() => String, { nullable: true })
  currency!: string | null;
  @Field(() => Int)
  count!: number;
  @Field(() => String, { description: 'Exact decimal sum.' })
  amount!: string;
}

@ObjectType('SyncRun', { description: 'One reference-data synchronisation run.' })
export class SyncRunType {
  @Field(() => ID)
  id!: string;
  @Field(() => [String])
  kinds!: string[];
  @Field(() => String)
  state!: string;
  @Field(() => DateTimeScalar)
  startedAt!: string;
  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: string | null;
  @Field(() => JSONScalar, { description: 'Records created/updated/deactivated per kind.' })
  counts!: Record<string, number>;
  @Field(() => String, {
    description:
      '`incremental` when at least one kind was read incrementally (records modified since the last run), else `full` (every record; finds deletions).',
  })
  mode!: string;
  @Field(() => JSONScalar, {
    description:
      'Per step (EMPLOYEE, GLACCOUNT, …, employees, vendors): {step, direction, failed, counts: {read, created, updated, removed, conflicts}}; cache kinds add mode (full/incremental) and highWaterMark (largest WHENMODIFIED read).',
  })
  report!: unknown[];
  @Field(() => [String])
  errors!: string[];
}

@ObjectType('ProjectionStatus', { description: 'A read model: where it is in the event log and whether it is rebuilding.' })
export class ProjectionStatusType {
  @Field(() => String)
  name!: string;
  @Field(() => Int)
  version!: number;
  @Field(() => String, { description: 'Last applied global position (64-bit integer as text).' })
  position!: string;
  @Field(() => String)
  headPosition!: string;
  @Field(() => Float, { description: 'Events not yet applied.' })
  lag!: number;
  @Field(() => String, { description: 'live, rebuilding, retrying (paused by a storage fault such as a full disk, resuming by itself), stopped or failed' })
  state!: string;
  @Field(() => Float, { nullable: true, description: '0..1 while rebuilding.' })
  rebuildProgress!: number | null;
  @Field(() => String, { nullable: true })
  error!: string | null;
}

@ObjectType('Job', { description: 'Long-running work (backfill, sync, replay) and its progress.' })
export class JobType {
  @Field(() => ID)
  id!: string;
  @Field(() => String, { description: 'backfill, sync or replay' })
  kind!: string;
  @Field(() => String, { description: 'running, succeeded or failed' })
  state!: string;
  @Field(() => Boolean)
  dryRun!: boolean;
  @Field(() => Int)
  processed!: number;
  @Field(() => Int, { nullable: true })
  total!: number | null;
  @Field(() => Float, { nullable: true, description: 'processed / total, when the total is known.' })
  progress!: number | null;
  @Field(() => DateTimeScalar)
  startedAt!: string;
  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: string | null;
  @Field(() => [String], { description: 'Result lines, e.g. what a dry run would post.' })
  items!: string[];
  @Field(() => String, { nullable: true })
  error!: string | null;
  @Field(() => String, { nullable: true, description: 'What the job is doing now, e.g. "CUSTOMER: 2000/4500 read from Intacct"; null once finished.' })
  step!: string | null;
  @Field(() => JSONScalar, {
    nullable: true,
    description:
      'Counts per part: per sync step {read, created, updated, removed, conflicts}; per backfill document type {found, wouldPost, recorded, alreadyKnown, …}.',
  })
  counts!: Record<string, Record<string, number>> | null;
}
