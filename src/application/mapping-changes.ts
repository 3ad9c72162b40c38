/**
 * The mapping commands of the API and the CLI: decided against the `mappings` stream (never the
 * read model), values checked against the dimension cache, appended with the stream revision.
 * The answer is derived from what was stored: after the append the stream is folded again and must
 * show exactly the decided set, so a mutation can never report success without storing.
 */
import type Database from 'better-sqlite3';
import { handleCommands } from '../domain/command-handler.js';
import type { EventStore } from '../domain/eventstore/port.js';
import {
  canonicalJson,
  describeUnchecked,
  diffMappingSets,
  MAPPINGS_STREAM,
  MappingCommandRejected,
  mappingSetFromEvents,
  mappingDecider,
  mappingSetToJson,
  planMapping,
  referenceLabel,
  type MappingCommand,
  type MappingDecision,
  type MappingDiffEntry,
  type MappingValueProblem,
  type MappingValueRef,
} from '../domain/mapping/index.js';
import { mappingReferenceFrom } from '../projections/dimension-cache.js';
import type { MappingHistoryItem } from '../projections/mapping-read-model.js';
import type { MappingChangeResult, MappingHistoryEntry, MappingValueNote } from './connector-api.js';

/** A refused command: its message is for the caller; GraphQL shows it as BAD_USER_INPUT (graphql/errors.ts reads `code`). */
export class MappingChangeRefused extends Error {
  override readonly name = 'MappingChangeRefused';
  readonly code = 'BAD_USER_INPUT';
}

export interface MappingChangesDeps {
  store: EventStore;
  db: () => Database.Database;
  /** Resolves once the read models include `position`. */
  waitFor: (position: bigint) => Promise<void>;
  /** Re-evaluates waiting documents. */
  changed: () => void;
}

export const uncheckedNote = (ref: MappingValueRef): MappingValueNote => ({
  path: ref.path,
  target: ref.target,
  value: ref.value,
  message: describeUnchecked(ref),
});

export const forcedNote = (p: Omit<MappingValueProblem, 'closest'>): MappingValueNote => ({
  path: p.path,
  target: p.target,
  value: p.value,
  message: `${p.path}: ${referenceLabel(p.target)} ${p.value} ${p.status === 'missing' ? 'does not exist' : 'is inactive'} in Intacct; recorded anyway (forced)`,
});

/** A stored mapping change as the API shows it (newest first, values as JSON text). */
export const historyEntry = (h: MappingHistoryItem): MappingHistoryEntry => ({
  revision: h.revision,
  type: h.type,
  section: h.section,
  key: h.key,
  value: h.value === null ? null : JSON.stringify(h.value),
  reason: h.reason,
  actor: h.actor,
  occurredAt: h.occurredAt,
  diff: h.diff,
  forced: h.forced.map(forcedNote),
  unchecked: h.unchecked.map(uncheckedNote),
});

function summary(diff: readonly MappingDiffEntry[]): string {
  const count = (c: MappingDiffEntry['change']) => diff.filter((d) => d.change === c).length;
  return `${diff.length} change(s): ${count('added')} added, ${count('changed')} changed, ${count('removed')} removed`;
}

export class MappingChanges {
  constructor(private readonly deps: MappingChangesDeps) {}

  async run(command: MappingCommand, dryRun = false): Promise<MappingChangeResult> {
    const options = { reference: mappingReferenceFrom(this.deps.db()) };
    if (dryRun) {
      const current = mappingSetFromEvents(await this.deps.store.readStream(MAPPINGS_STREAM));
      const plan = await this.refusable(() => planMapping(command, current.set, options));
      const message =
        plan.diff.length === 0
          ? 'Dry run: no changes (the mapping set already holds this); nothing was recorded.'
          : `Dry run: ${summary(plan.diff)} would be recorded; nothing was changed.`;
      return {
        revision: current.revision,
        changed: false,
        dryRun: true,
        message,
        diff: plan.diff,
        unchecked: plan.unchecked.map(uncheckedNote),
        forced: plan.forced.map(forcedNote),
      };
    }
    // The one write path of the mapping stream: read, fold, decide, append at the expected revision,
    // decide again on a concurrent change (domain/command-handler.ts).
    let plan!: MappingDecision;
    const decider = mappingDecider(options, (decision) => (plan = decision));
    const handled = await this.refusable(() => handleCommands(this.deps.store, decider, MAPPINGS_STREAM, [command], (decided) => decided));
    if (handled.appended.length === 0 || handled.position === null) {
      return {
        revision: handled.revision,
        changed: false,
        dryRun: false,
        message: 'No changes: the mapping set already holds this; nothing was recorded.',
        diff: [],
        unchecked: [],
        forced: [],
      };
    }
    const notes = { unchecked: plan.unchecked.map(uncheckedNote), forced: plan.forced.map(forcedNote) };
    const stored = await this.storedAfter(handled.revision, plan);
    await this.deps.waitFor(handled.position);
    this.deps.changed();
    const diff = diffMappingSets(handled.before, stored);
    const extra = [
      notes.forced.length ? `${notes.forced.length} value(s) forced` : '',
      notes.unchecked.length ? `${notes.unchecked.length} value(s) not checked (no reference data cached yet)` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return {
      revision: handled.revision,
      changed: true,
      dryRun: false,
      message: `Recorded revision ${handled.revision}: ${summary(diff)}${extra ? `; ${extra}` : ''}.`,
      diff,
      ...notes,
    };
  }

  /** A refused command becomes the API's BAD_USER_INPUT; anything else stays what it is. */
  private async refusable<T>(run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw error instanceof MappingCommandRejected ? new MappingChangeRefused(error.message) : error;
    }
  }

  /** The set as stored up to our revision; it must be the decided one, or the change did not land. */
  private async storedAfter(revision: number, plan: MappingDecision) {
    const stored = mappingSetFromEvents((await this.deps.store.readStream(MAPPINGS_STREAM)).filter((e) => e.revision <= revision));
    if (stored.revision !== revision || canonicalJson(mappingSetToJson(stored.set)) !== canonicalJson(mappingSetToJson(plan.next))) {
      throw new Error(
        `The mapping change was appended as revision ${revision}, but the stored mapping set does not show it (stored revision ${stored.revision}). Nothing is reported as changed; check the mappings query and report this with the service log.`,
      );
    }
    return stored.set;
  }
}
