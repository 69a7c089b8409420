/**
 * Physical memory as the dump holds it: sorted, non-overlapping ranges, each backed by a source.
 * Reads that touch a hole fail with NotInDumpError; they never return zeros.
 */
import { NotInDumpError, RamparseError } from '../util/errors.js';

/** Something that can fill a buffer from a byte offset inside one range. */
export interface RangeBacking {
  /** A short description for messages: "dump.bin", "vmcore PT_LOAD #2", "kdump pages". */
  readonly label: string;
  readInto(offset: number, target: Buffer, targetOffset: number, length: number): void;
}

export interface PhysRange {
  readonly start: bigint;
  /** Exclusive. */
  readonly end: bigint;
  readonly backing: RangeBacking;
  /** Offset inside the backing where `start` lives. */
  readonly backingOffset: number;
}

export class PhysicalMemory {
  readonly ranges: readonly PhysRange[];
  private lastHit = 0;

  constructor(ranges: PhysRange[]) {
    const sorted = [...ranges].filter((r) => r.end > r.start).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.start < sorted[i - 1]!.end) {
        throw new RamparseError(
          `dump ranges overlap: [0x${sorted[i - 1]!.start.toString(16)}-0x${sorted[i - 1]!.end.toString(16)}) (${sorted[i - 1]!.backing.label}) and [0x${sorted[i]!.start.toString(16)}-0x${sorted[i]!.end.toString(16)}) (${sorted[i]!.backing.label})`,
        );
      }
    }
    this.ranges = sorted;
  }

  get start(): bigint {
    return this.ranges[0]?.start ?? 0n;
  }

  get end(): bigint {
    return this.ranges[this.ranges.length - 1]?.end ?? 0n;
  }

  /** Total bytes held. */
  get size(): bigint {
    return this.ranges.reduce((n, r) => n + (r.end - r.start), 0n);
  }

  private rangeIndex(pa: bigint): number {
    const last = this.ranges[this.lastHit];
    if (last && pa >= last.start && pa < last.end) return this.lastHit;
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.ranges[mid]!;
      if (pa < r.start) hi = mid - 1;
      else if (pa >= r.end) lo = mid + 1;
      else {
        this.lastHit = mid;
        return mid;
      }
    }
    return -1;
  }

  contains(pa: bigint, length = 1): boolean {
    let cur = pa;
    const end = pa + BigInt(length);
    while (cur < end) {
      const i = this.rangeIndex(cur);
      if (i < 0) return false;
      cur = this.ranges[i]!.end;
    }
    return true;
  }

  read(pa: bigint, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    this.readInto(pa, out, 0, length);
    return out;
  }

  /** Fill target[targetOffset, +length) from physical address pa; may span adjacent ranges. */
  readInto(pa: bigint, target: Buffer, targetOffset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const cur = pa + BigInt(done);
      const i = this.rangeIndex(cur);
      if (i < 0) throw new NotInDumpError(cur, 'physical');
      const r = this.ranges[i]!;
      const avail = r.end - cur;
      const n = avail < BigInt(length - done) ? Number(avail) : length - done;
      r.backing.readInto(r.backingOffset + Number(cur - r.start), target, targetOffset + done, n);
      done += n;
    }
  }

  /** The same bytes seen at a different physical base (raw images whose base was found later). */
  rebased(delta: bigint): PhysicalMemory {
    return new PhysicalMemory(this.ranges.map((r) => ({ ...r, start: r.start + delta, end: r.end + delta })));
  }

  describe(): string {
    return this.ranges.map((r) => `[0x${r.start.toString(16)}-0x${r.end.toString(16)}) ${r.backing.label}`).join(', ');
  }
}

/** A backing that is a region of a file (raw images, ELF PT_LOADs, --ram-file). */
export class FileBacking implements RangeBacking {
  constructor(
    readonly label: string,
    private readonly file: { readInto(offset: number, target: Buffer, targetOffset: number, length: number): void },
  ) {}
  readInto(offset: number, target: Buffer, targetOffset: number, length: number): void {
    this.file.readInto(offset, target, targetOffset, length);
  }
}
