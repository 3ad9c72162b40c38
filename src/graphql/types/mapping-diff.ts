import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../scalars.js';

export enum MappingDiffChange {
  ADDED = 'ADDED',
  CHANGED = 'CHANGED',
  REMOVED = 'REMOVED',
}
registerEnumType(MappingDiffChange, { name: 'MappingDiffChange', description: 'What a mapping change did to one entry.' });

/** docs/graphql.md: `importMappings(json, mode: MERGE|REPLACE, dryRun)`, MERGE by default. */
export enum MappingImportMode {
  MERGE = 'MERGE',
  REPLACE = 'REPLACE',
}
registerEnumType(MappingImportMode, {
  name: 'MappingImportMode',
  description: 'How importMappings treats the current set.',
  valuesConfig: {
    MERGE: { description: 'Sections and keys in the file override; sections and keys absent from it are kept. Never removes a key.' },
    REPLACE: { description: 'The file becomes the whole set: everything absent from it is removed.' },
  },
});

@ObjectType('MappingDiffEntry', { description: 'One entry a mapping change added, changed or removed, with its old and new value (JSON form).' })
export class MappingDiffEntryType {
  @Field(() => MappingDiffChange)
  change!: MappingDiffChange;
  @Field(() => String, { description: 'Mapping section, e.g. accounts, dimensions, options.' })
  section!: string;
  @Field(() => String, {
    nullable: true,
    description:
      'The key (a Concur code, a dimension rule source->target, an option name, a targets key such as expense.outOfPocket); null for journal, cashAdvanceAccount and for the dimension rule order.',
  })
  key!: string | null;
  @Field(() => JSONScalar, { nullable: true, description: 'The value before; null when added.' })
  oldValue!: unknown;
  @Field(() => JSONScalar, { nullable: true, description: 'The value after; null when removed.' })
  newValue!: unknown;
}

@ObjectType('MappingValueNote', {
  description: 'An Intacct value of a mapping change that was not checked against the reference cache, or was forced past it.',
})
export class MappingValueNoteType {
  @Field(() => String, { description: 'Where the value sits, e.g. accounts.474230 or counterparties.IBCP.vendorId.' })
  path!: string;
  @Field(() => String, {
    description:
      'What it must be in Intacct: GLACCOUNT, DEPARTMENT, LOCATION, PROJECTID, CUSTOMERID, CLASSID, ITEMID, VENDORID or EMPLOYEEID; EXPENSETYPE (an expense type) or CARDACCOUNT (a credit-card account), never checked.',
  })
  target!: string;
  @Field(() => String)
  value!: string;
  @Field(() => String)
  message!: string;
}

/** Domain diff entries (lower-case change) as the API shows them. */
export const toDiffEntries = (
  diff: ReadonlyArray<{ change: 'added' | 'changed' | 'removed'; section: string; key: string | null; oldValue: unknown; newValue: unknown }>,
): MappingDiffEntryType[] => diff.map((d) => ({ ...d, change: d.change.toUpperCase() as MappingDiffChange }));
