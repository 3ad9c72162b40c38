import { describe, expect, it } from 'vitest';
import { seedDemoCompany } from '../../src/adapters/intacct/simulator/company.js';
import { FunctionRunner } from '../../src/adapters/intacct/simulator/functions.js';
import { PROTOTYPE_NAMES } from '../support/code-names.js';

/**
 * The Intacct simulator's tables are looked up by names from requests (object names, query fields,
 * ids): a name such as `constructor` is an unknown object or a field no row has, never a member
 * of Object.prototype (before, `readByQuery` of object "constructor" answered as if it existed).
 */
describe('Intacct simulator: names from requests are data', () => {
  it('an object named like a prototype member is not readable and cannot be created', () => {
    const runner = new FunctionRunner(seedDemoCompany());
    for (const object of PROTOTYPE_NAMES) {
      const read = runner.run('readByQuery', { object, query: '' }, 'c1');
      expect(read.ok, object).toBe(false);
      expect(!read.ok && read.errors[0]!.description2).toBe(`Object ${object} is not readable.`);
      const created = runner.run('create', { [object]: { NAME: 'x' } }, 'c2');
      expect(created.ok, object).toBe(false);
    }
  });

  it('a query on a field named like a prototype member matches no row, and != matches every row', () => {
    const runner = new FunctionRunner(seedDemoCompany());
    const count = (query: string): string | undefined => {
      const result = runner.run('readByQuery', { object: 'DEPARTMENT', query }, 'c3');
      return result.ok ? /count="(\d+)"/.exec(result.data.xml)?.[1] : `error ${JSON.stringify(result.errors)}`;
    };
    const all = count('');
    for (const field of ['constructor', 'toString', 'valueOf']) {
      expect(count(`${field} = 'x'`), field).toBe('0');
      expect(count(`${field} != 'x'`), field).toBe(all);
      expect(count(`${field} IN ('x')`), field).toBe('0');
    }
  });
});
