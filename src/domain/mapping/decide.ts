/**
 * The mapping decider: commands -> `MappingChanged` / `MappingsImported` events, after validation.
 * Every change carries an actor (metadata) and a reason; a change that changes nothing yields no event.
 */
import { newEvent, type Actor, type NewEvent } from '../events/envelope.js';
import { applyChange } from './evolve.js';
import type { MappingChanged, MappingsImported } from './events.js';
import { mappingSetToJson, parseMappingsJson } from './json.js';
import { dimensionKey, MAPPING_OPTION_KEYS, SCALAR_SECTIONS, type MappingSection, type MappingSet } from './model.js';
import { validateMappingSet, validateSectionValue, type MappingIssue } from './validate.js';

export type MappingCommand =
  | { type: 'setMapping'; section: MappingSection; key: string | null; value: unknown; reason: string; actor: Actor }
  | { type: 'removeMapping'; section: MappingSection; key: string | null; reason: string; actor: Actor }
  | { type: 'importMappings'; json: string | object; reason: string; actor: Actor };

export class MappingCommandRejected extends Error {
  override readonly name = 'MappingCommandRejected';
  constructor(readonly issues: MappingIssue[]) {
    super(`Mapping change refused: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  }
}

export type MappingEvent = NewEvent<'MappingChanged', MappingChanged> | NewEvent<'MappingsImported', MappingsImported>;

export function decideMapping(command: MappingCommand, current: MappingSet, now: string | Date = new Date()): MappingEvent[] {
  const reason = command.reason?.trim() ?? '';
  const opts = { actor: command.actor, occurredAt: now };
  if (reason === '') throw new MappingCommandRejected([{ path: 'reason', message: 'is required: say why the mapping changes (it is kept in the audit trail)' }]);
  if (!command.actor) throw new MappingCommandRejected([{ path: 'actor', message: 'is required' }]);

  if (command.type === 'importMappings') {
    const result = typeof command.json === 'string' ? parseMappingsJson(command.json) : validateMappingSet(command.json);
    if (!result.ok) throw new MappingCommandRejected(result.issues);
    if (same(mappingSetToJson(result.value), mappingSetToJson(current))) return [];
    return [newEvent('MappingsImported', { mappings: result.value, reason }, opts)];
  }

  const key = SCALAR_SECTIONS.includes(command.section) ? null : command.key;
  if (command.type === 'removeMapping') {
    const check = validateSectionValue(command.section, key, 'x');
    const keyIssues = check.ok ? [] : check.issues.filter((i) => /key|section/.test(i.message));
    if (keyIssues.length > 0) throw new MappingCommandRejected(keyIssues);
    if (!exists(current, command.section, key)) {
      throw new MappingCommandRejected([{ path: key === null ? command.section : `${command.section}.${key}`, message: 'has no mapping to remove' }]);
    }
    return [newEvent('MappingChanged', { section: command.section, key, value: null, reason }, opts)];
  }

  const check = validateSectionValue(command.section, key, command.value);
  if (!check.ok) throw new MappingCommandRejected(check.issues);
  const next = applyChange(current, { section: command.section, key, value: check.value });
  if (same(mappingSetToJson(next), mappingSetToJson(current))) return [];
  return [newEvent('MappingChanged', { section: command.section, key, value: check.value, reason }, opts)];
}

function exists(set: MappingSet, section: MappingSection, key: string | null): boolean {
  switch (section) {
    case 'journal':
      return set.journal !== null;
    case 'cashAdvanceAccount':
      return set.cashAdvanceAccount !== null;
    case 'dimensions':
      return set.dimensions.some((d) => dimensionKey(d) === key);
    case 'options':
      return (MAPPING_OPTION_KEYS as readonly (string | null)[]).includes(key);
    default:
      return Object.hasOwn(set[section] as object, key!);
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
