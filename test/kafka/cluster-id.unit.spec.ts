import { describe, expect, it } from 'vitest';
import { newClusterId } from '../../scripts/kafka/broker.js';

describe('KRaft cluster ids for the test broker', () => {
  it('never start with "-" (kafka-storage would read the id as an option)', () => {
    for (let i = 0; i < 5000; i++) {
      const id = newClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});
