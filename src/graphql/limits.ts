import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ASTNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';

/**
 * Query depth and cost limits as plain graphql-js validation rules: an abusive query is refused
 * before any resolver runs. Validation results are cached per query text, so the rules cannot see
 * variable values: a `first: $n` counts as the variable's default, or as the largest page allowed.
 */
export interface QueryLimits {
  /** Deepest field nesting of data fields (`postings.edges.node.id` is 4). */
  maxDepth: number;
  /** Introspection (`__schema`, `__type`) nests deeper by nature (`ofType` chains) and is cheap. */
  maxIntrospectionDepth: number;
  maxCost: number;
  /** The page size assumed for a `first` argument given as a variable without default. */
  maxPageSize: number;
  /**
   * Per-field price, assumed list size and rows read, keyed `Type.field`. Unlisted object fields cost
   * 1, scalars 0. `rows`: the rows the field reads from a read model whatever is selected below it (a
   * table scan for a count, the rows of a list query), added to its price once.
   */
  fieldCosts: Record<string, { cost?: number; listSize?: number; rows?: number }>;
  /** List size assumed for a list field without `first` and without a `fieldCosts` entry. */
  defaultListSize: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxDepth: 10,
  maxIntrospectionDepth: 16,
  maxCost: 10_000,
  maxPageSize: 100,
  defaultListSize: 10,
  fieldCosts: {
    // Each reads the document stream (once per posting and request; the others then share it).
    'Posting.timeline': { cost: 20, listSize: 20 },
    'Posting.attemptLog': { cost: 20, listSize: 5 },
    'Posting.journalEntry': { cost: 20 },
    'Posting.records': { cost: 20 },
    'Posting.reversalEntry': { cost: 20 },
    'Posting.concurConfirmation': { cost: 20 },
    'Posting.mappingRevision': { cost: 20 },
    // Rebuilds a whole mapping set as of a past time.
    'Posting.mappingUsed': { cost: 100 },
    // A connection also reads `first` rows (one each), whatever is selected (see costOf).
    'Query.postings': { cost: 5 },
    // A count scans every matching row: priced as a full page of rows.
    'PostingConnection.totalCount': { rows: 100 },
    // List queries read their rows from the read models even when only scalars are selected.
    'Query.mappingGaps': { cost: 50, listSize: 50, rows: 50 },
    'Query.mappings': { cost: 20 },
    'Query.mappingHistory': { cost: 20, listSize: 100, rows: 100 },
    'Query.dimensions': { cost: 10, listSize: 200, rows: 200 },
    'Query.statistics': { cost: 20, listSize: 100, rows: 100 },
    'Query.syncRuns': { cost: 10, listSize: 20, rows: 20 },
    'JournalEntry.lines': { listSize: 10 },
    'JournalLine.dimensions': { listSize: 3 },
    'MappingGapGroup.documents': { listSize: 20 },
  },
};

/** A Map: a spread of an undefined fragment named `constructor` must find nothing, not Object.prototype.constructor. */
type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

function fragmentsOf(context: ValidationContext): Fragments {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) map.set(def.name.value, def);
  return map;
}

/**
 * Fields of a selection set with fragments inlined. A fragment spread twice at the same level adds
 * nothing (GraphQL merges the fields), so each is expanded once: that also stops same-level cycles.
 */
function* fieldsOf(set: SelectionSetNode, fragments: Fragments, expanded: Set<string> = new Set()): Generator<FieldNode> {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) yield* fieldsOf(selection.selectionSet, fragments, expanded);
    else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || expanded.has(name)) continue;
      expanded.add(name);
      yield* fieldsOf(fragment.selectionSet, fragments, expanded);
    }
  }
}

/**
 * Nesting past this is refused outright; it also stops a fragment cycle (`fragment A on T { x { ...A } }`),
 * which graphql-js reports in a rule that runs alongside these, not before them.
 */
const HARD_NESTING_LIMIT = 64;

type Depth = { data: number; introspection: number };
type DepthMemo = { data: Map<SelectionSetNode, Depth>; introspection: Map<SelectionSetNode, Depth> };

/** Memoised per selection set node, so fragments reused at many places are measured once (no fragment "bombs"). */
function depthOf(
  set: SelectionSetNode | undefined,
  fragments: Fragments,
  introspection: boolean,
  memo: DepthMemo,
  level = 0,
): { data: number; introspection: number } {
  let data = 0;
  let intro = 0;
  if (!set) return { data, introspection: intro };
  if (level > HARD_NESTING_LIMIT) return { data: level, introspection: level };
  const memoOfKind = introspection ? memo.introspection : memo.data;
  const known = memoOfKind.get(set);
  if (known) return known;
  for (const field of fieldsOf(set, fragments)) {
    const isIntro = introspection || field.name.value.startsWith('__');
    if (field.name.value === '__typename') continue;
    const child = depthOf(field.selectionSet, fragments, isIntro, memo, level + 1);
    if (isIntro) intro = Math.max(intro, 1 + child.introspection);
    else {
      data = Math.max(data, 1 + child.data);
      intro = Math.max(intro, child.introspection);
    }
  }
  memoOfKind.set(set, { data, introspection: intro });
  return { data, introspection: intro };
}

export function depthLimitRule(limits: Pick<QueryLimits, 'maxDepth' | 'maxIntrospectionDepth'> = DEFAULT_LIMITS): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation: OperationDefinitionNode) {
      const depth = depthOf(operation.selectionSet, fragmentsOf(context), false, { data: new Map(), introspection: new Map() });
      const name = operation.name?.value ?? 'anonymous operation';
      if (depth.data > limits.maxDepth) {
        context.reportError(
          new GraphQLError(
            `Query "${name}" is nested ${depth.data} levels deep; the limit is ${limits.maxDepth}. Ask for fewer nested fields or split the query.`,
            {
              nodes: [operation as ASTNode],
              extensions: { code: 'QUERY_TOO_DEEP', depth: depth.data, maxDepth: limits.maxDepth },
            },
          ),
        );
      }
      if (depth.introspection > limits.maxIntrospectionDepth) {
        context.reportError(
          new GraphQLError(`Introspection in "${name}" is nested ${depth.introspection} levels deep; the limit is ${limits.maxIntrospectionDepth}.`, {
            nodes: [operation as ASTNode],
            extensions: { code: 'QUERY_TOO_DEEP', depth: depth.introspection, maxDepth: limits.maxIntrospectionDepth },
          }),
        );
      }
    },
  });
}

function fieldDef(parent: GraphQLCompositeType | null, name: string): GraphQLField<unknown, unknown> | undefined {
  if (parent && (isObjectType(parent) || isInterfaceType(parent))) return parent.getFields()[name];
  return undefined;
}

function literalInt(value: ValueNode | undefined, operation: OperationDefinitionNode, fallback: number): number {
  if (!value) return fallback;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const def = operation.variableDefinitions?.find((d) => d.variable.name.value === value.name.value);
    if (def?.defaultValue?.kind === Kind.INT) return Number(def.defaultValue.value);
  }
  return fallback;
}

interface CostWalk {
  operation: OperationDefinitionNode;
  fragments: Fragments;
  limits: QueryLimits;
  /** Cost per selection set node and parent type: each shared fragment is priced once. */
  memo: Map<SelectionSetNode, Map<string, number>>;
}

const compositeOf = (type: GraphQLOutputType | undefined): GraphQLCompositeType | null => {
  const named = type ? getNamedType(type) : null;
  return named && (isObjectType(named) || isInterfaceType(named)) ? named : null;
};

/** Estimated cost: every field costs its price; the fields below a list cost once per assumed item. */
function costOf(set: SelectionSetNode | undefined, parent: GraphQLCompositeType | null, walk: CostWalk, level = 0): number {
  if (!set) return 0;
  if (level > HARD_NESTING_LIMIT) return walk.limits.maxCost + 1;
  const parentName = parent?.name ?? '?';
  const known = walk.memo.get(set)?.get(parentName);
  if (known !== undefined) return known;
  const { limits } = walk;
  let total = 0;
  for (const field of fieldsOf(set, walk.fragments)) {
    const name = field.name.value;
    if (name.startsWith('__')) continue;
    const def = fieldDef(parent, name);
    const type = def?.type;
    const key = `${parentName}.${name}`;
    // Scalars ride along with their object; what costs is fetching objects and lists of them, and the
    // rows a field reads (`rows`), even when only scalars are selected below it.
    const price = priceOf(key, type, limits);
    const firstArg = field.arguments?.find((a) => a.name.value === 'first');
    const firstDef = def?.args.find((a) => a.name === 'first');
    if (firstArg || firstDef) {
      // A connection: its `first` multiplies the list inside it (`edges`), the connection itself counts once.
      const byDefault = typeof firstDef?.defaultValue === 'number' ? firstDef.defaultValue : limits.maxPageSize;
      const pageSize = Math.max(0, firstArg ? literalInt(firstArg.value, walk.operation, limits.maxPageSize) : byDefault);
      // A connection reads its page of rows (one each) even when only `totalCount` is selected.
      total += price + pageSize + costOfConnection(field, compositeOf(type), pageSize, walk, level + 1);
    } else {
      const listSize = type && isListType(getNullableType(type)) ? (limits.fieldCosts[key]?.listSize ?? limits.defaultListSize) : 1;
      total += price + listSize * costOf(field.selectionSet, compositeOf(type), walk, level + 1);
    }
  }
  const forSet = walk.memo.get(set) ?? new Map<string, number>();
  forSet.set(parentName, total);
  walk.memo.set(set, forSet);
  return total;
}

function priceOf(key: string, type: GraphQLOutputType | undefined, limits: QueryLimits): number {
  const entry = limits.fieldCosts[key];
  return (entry?.cost ?? (type && isLeafType(getNamedType(type)) ? 0 : 1)) + (entry?.rows ?? 0);
}

function costOfConnection(field: FieldNode, connection: GraphQLCompositeType | null, pageSize: number, walk: CostWalk, level: number): number {
  if (!field.selectionSet) return 0;
  let total = 0;
  for (const child of fieldsOf(field.selectionSet, walk.fragments)) {
    if (child.name.value.startsWith('__')) continue;
    const type = fieldDef(connection, child.name.value)?.type;
    const isPage = type ? isListType(getNullableType(type)) : false;
    const price = priceOf(`${connection?.name ?? '?'}.${child.name.value}`, type, walk.limits);
    total += price + (isPage ? pageSize : 1) * costOf(child.selectionSet, compositeOf(type), walk, level + 1);
  }
  return total;
}

export function costLimitRule(limits: QueryLimits = DEFAULT_LIMITS): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation: OperationDefinitionNode) {
      const schema = context.getSchema();
      const root =
        operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      const cost = costOf(operation.selectionSet, root ?? null, { operation, fragments: fragmentsOf(context), limits, memo: new Map() });
      if (cost > limits.maxCost) {
        const name = operation.name?.value ?? 'anonymous operation';
        context.reportError(
          new GraphQLError(
            `Query "${name}" has an estimated cost of ${cost}; the limit is ${limits.maxCost}. Request fewer items (a smaller "first") or fewer expensive fields such as timeline.`,
            { nodes: [operation as ASTNode], extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost: limits.maxCost } },
          ),
        );
      }
    },
  });
}
