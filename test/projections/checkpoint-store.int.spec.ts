import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteCheckpointStore } from '../../src/projections/checkpoint-store.js';
import { readModelPath } from '../../src/projections/read-model-db.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SqliteCheckpointStore', () => {
  it('loads nothing before the first save, then the saved bigint after reopening the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-checkpoints-'));
    dirs.push(dir);
    const path = readModelPath(dir);
    const first = SqliteCheckpointStore.open(path);
    expect(first.load('posting-worker')).toBeUndefined();
    first.save('posting-worker', 41n);
    first.save('posting-worker', 2n ** 62n);
    first.save('kafka-publisher', 0n);
    first.close();

    const reopened = SqliteCheckpointStore.open(path);
    expect(reopened.load('posting-worker')).toBe(2n ** 62n);
    expect(reopened.load('kafka-publisher')).toBe(0n);
    reopened.close();
  });
});
