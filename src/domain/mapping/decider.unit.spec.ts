import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../test/support/given.js';
import { MappingCommandRejected, type MappingEvent } from './decide.js';
import { mappingDecider } from './decider.js';

/** The mapping set is a decider like the document lifecycle: given / when / then. */
const spec = deciderSpec(mappingDecider({ now: '2026-12-03T09:00:00.000Z' }));
const changed = (section: string, key: string | null, value: unknown): MappingEvent =>
  ({ type: 'MappingChanged', data: { section, key, value, reason: 'why' } }) as unknown as MappingEvent;

describe('the mapping decider', () => {
  it('a new account mapping is one MappingChanged with the actor and reason', () => {
    spec
      .given()
      .when({ type: 'setMapping', section: 'accounts', key: 'constructor', value: '6400', reason: 'why', actor: 'user:ops' })
      .thenMatches((events) => {
        expect(events).toHaveLength(1);
        expect(events[0]!.type).toBe('MappingChanged');
        expect(events[0]!.data).toMatchObject({ section: 'accounts', key: 'constructor', value: '6400' });
      });
  });

  it('setting what the set already holds records nothing', () => {
    const first = spec.given().when({ type: 'setMapping', section: 'accounts', key: 'AIRFR', value: '6400', reason: 'why', actor: 'user:ops' });
    let decided: MappingEvent[] = [];
    first.thenMatches((events) => (decided = events));
    spec
      .given(...decided)
      .when({ type: 'setMapping', section: 'accounts', key: 'AIRFR', value: '6400', reason: 'again', actor: 'user:ops' })
      .thenNothingHappened();
  });

  it('refuses a change without a reason, and removing what is not there', () => {
    spec
      .given()
      .when({ type: 'setMapping', section: 'accounts', key: 'AIRFR', value: '6400', reason: ' ', actor: 'user:ops' })
      .thenThrows(MappingCommandRejected, /reason/);
    spec
      .given()
      .when({ type: 'removeMapping', section: 'accounts', key: 'AIRFR', reason: 'why', actor: 'user:ops' })
      .thenThrows(MappingCommandRejected, /no mapping to remove/);
  });

  it('folds events into the set: a `__proto__` key is data', () => {
    const given = spec.given(changed('accounts', '__proto__', '6100'));
    expect(given.state.accounts.get('__proto__')).toBe('6100');
    given.when({ type: 'removeMapping', section: 'accounts', key: '__proto__', reason: 'why', actor: 'user:ops' }).thenMatches((events) => {
      expect(events.map((e) => [e.type, (e.data as { value: unknown }).value])).toEqual([['MappingChanged', null]]);
    });
  });
});
