import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real, small file system (tmpfs) that a test can fill to the last block and free again: disk-full
 * as SQLite meets it in production (SQLITE_FULL from the kernel's ENOSPC), not a mocked error.
 * Needs `mount` (root, or a container that allows it); `smallDisk()` answers null where it cannot.
 */
export interface SmallDisk {
  dir: string;
  /** Writes a filler file until the file system answers ENOSPC; returns the bytes written. */
  fill(): number;
  /** Removes the filler: the space is back. */
  free(): void;
  freeBytes(): number;
  cleanup(): void;
}

export function smallDisk(sizeMb: number): SmallDisk | null {
  const dir = mkdtempSync(join(tmpdir(), 'ml-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const filler = join(dir, 'filler.bin');
  const disk: SmallDisk = {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024, 0xab);
      let written = 0;
      try {
        for (let size = chunk.length; size >= 1; ) {
          try {
            written += writeSync(fd, chunk, 0, size);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
            size = Math.floor(size / 2);
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free() {
      try {
        unlinkSync(filler);
      } catch {
        // already gone
      }
    },
    freeBytes() {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    },
    cleanup() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } catch {
        // left mounted: the test reports it
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return disk;
}
