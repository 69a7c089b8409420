/**
 * Search physical memory for a byte string, in large chunks (Buffer.indexOf runs at memory speed).
 * Used only while locating the kernel, when nothing better is known.
 */
import type { PhysicalMemory } from '../dump/physical-memory.js';

const CHUNK = 16 << 20;

export interface ScanOptions {
  readonly maxHits?: number;
  /** Only report hits whose physical address is a multiple of this. */
  readonly align?: number;
}

export function* scanPhysical(memory: PhysicalMemory, needle: Buffer, opts: ScanOptions = {}): Generator<bigint> {
  const maxHits = opts.maxHits ?? Infinity;
  const align = BigInt(opts.align ?? 1);
  let hits = 0;
  const overlap = needle.length - 1;
  for (const r of memory.ranges) {
    let pos = r.start;
    while (pos < r.end) {
      const len = Number(r.end - pos < BigInt(CHUNK + overlap) ? r.end - pos : BigInt(CHUNK + overlap));
      let chunk: Buffer;
      try {
        chunk = memory.read(pos, len);
      } catch {
        pos += BigInt(CHUNK);
        continue;
      }
      let i = chunk.indexOf(needle);
      while (i >= 0) {
        const pa = pos + BigInt(i);
        if (i < CHUNK && (align === 1n || pa % align === 0n)) {
          yield pa;
          if (++hits >= maxHits) return;
        }
        i = chunk.indexOf(needle, i + 1);
      }
      pos += BigInt(CHUNK);
    }
  }
}
