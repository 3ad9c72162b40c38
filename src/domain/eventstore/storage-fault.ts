import { EventStoreUnavailableError } from './port.js';

/**
 * Local storage faults: the disk is full, a write failed, the file is locked by another process, the
 * directory became read-only. They say nothing about the data being wrong, so whoever meets one waits
 * and tries again (the disk may be freed, the lock released); nothing is given up. Corruption
 * (SQLITE_CORRUPT, SQLITE_NOTADB) is NOT one of them: retrying cannot fix it.
 */
const TRANSIENT_SQLITE = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|CANTOPEN|READONLY|NOMEM|PROTOCOL)/;
const TRANSIENT_ERRNO = new Set(['ENOSPC', 'EIO', 'EDQUOT', 'EROFS', 'EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE']);

export function isStorageFault(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof EventStoreUnavailableError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_SQLITE.test(code) || TRANSIENT_ERRNO.has(code))) return true;
  }
  return false;
}

/** Wait before the n-th (1-based) retry after consecutive storage faults: 1 s doubling to 30 s. */
export function storageRetryDelayMs(failures: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, Math.min(failures - 1, 5)));
}

/** Human words for the usual codes, for logs and /readyz. */
export function describeStorageFault(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/SQLITE_FULL|ENOSPC|disk is full/i.test(text)) return `the disk is full (${text})`;
  return text;
}
