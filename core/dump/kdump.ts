/**
 * kdump-compressed dumps (makedumpfile's "diskdump" format, signature "KDUMP   "), and the
 * "flattened" stream form of it (signature "makedumpfile") that makedumpfile -F and QEMU's
 * `dump-guest-memory -z/-l/-s` write.
 *
 * Layout (makedumpfile diskdump_mod.h): block 0 = disk_dump_header, then sub_hdr_size blocks of
 * kdump_sub_header, then bitmap_blocks of two bitmaps (RAM pfns, dumped pfns), then one page_desc per
 * dumped pfn, then page data. Pages are decompressed on demand and kept in a small LRU.
 */
import { inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
// snappyjs ships no types; it exports uncompress(Uint8Array|Buffer|ArrayBuffer).
import * as snappy from 'snappyjs';
import { InputError } from '../util/errors.js';
import { FileReader } from '../util/file-reader.js';
import { lzo1xDecompress } from './lzo1x.js';
import { PhysicalMemory, type PhysRange, type RangeBacking } from './physical-memory.js';
import type { OpenedDump } from './types.js';

const KDUMP_SIGNATURE = 'KDUMP   ';
const FLAT_SIGNATURE = 'makedumpfile';
const FLAT_HEADER_SIZE = 4096;

const DUMP_DH_COMPRESSED_ZLIB = 0x1;
const DUMP_DH_COMPRESSED_LZO = 0x2;
const DUMP_DH_COMPRESSED_SNAPPY = 0x4;
const DUMP_DH_COMPRESSED_ZSTD = 0x20;

const PAGE_DESC_SIZE = 24;
const PAGE_CACHE_PAGES = 1024;

/** Reads bytes of the reconstructed diskdump file, whether it is stored plainly or flattened. */
interface ByteSource {
  readonly size: number;
  readInto(offset: number, target: Buffer, targetOffset: number, length: number): void;
  read(offset: number, length: number): Buffer;
}

export function isKdump(head: Buffer): boolean {
  return head.toString('latin1', 0, 8) === KDUMP_SIGNATURE;
}

export function isFlattened(head: Buffer): boolean {
  return head.toString('latin1', 0, FLAT_SIGNATURE.length) === FLAT_SIGNATURE;
}

/**
 * The flattened format is a stream of (offset, size, data) records in big-endian, ending with
 * offset = size = -1; replaying them in order rebuilds the diskdump file. We index the records instead
 * of rebuilding: a later record for the same bytes wins, as it would when replayed.
 */
class FlattenedSource implements ByteSource {
  private readonly starts: number[] = [];
  private readonly sizes: number[] = [];
  private readonly fileOffsets: number[] = [];
  readonly size: number;

  constructor(private readonly file: FileReader) {
    let pos = FLAT_HEADER_SIZE;
    let maxEnd = 0;
    const recs: Array<[number, number, number]> = [];
    for (;;) {
      if (pos + 16 > file.size) throw new InputError(file.path, 'truncated flattened kdump: no end marker');
      const h = file.read(pos, 16);
      const offset = h.readBigInt64BE(0);
      const size = h.readBigInt64BE(8);
      if (offset === -1n && size === -1n) break;
      if (offset < 0n || size < 0n) throw new InputError(file.path, `corrupt flattened kdump record at file offset ${pos}`);
      const o = Number(offset);
      const s = Number(size);
      if (pos + 16 + s > file.size) throw new InputError(file.path, `truncated flattened kdump: record at ${pos} needs ${s} bytes`);
      recs.push([o, s, pos + 16]);
      maxEnd = Math.max(maxEnd, o + s);
      pos += 16 + s;
    }
    const merged = newestWins(recs.map((r, i) => ({ start: r[0], end: r[0] + r[1], file: r[2], order: i })));
    for (const r of merged) {
      this.starts.push(r.start);
      this.sizes.push(r.end - r.start);
      this.fileOffsets.push(r.file);
    }
    this.size = maxEnd;
  }

  read(offset: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    this.readInto(offset, out, 0, length);
    return out;
  }

  readInto(offset: number, target: Buffer, targetOffset: number, length: number): void {
    let done = 0;
    let i = upperBound(this.starts, offset) - 1;
    while (done < length) {
      const pos = offset + done;
      while (i + 1 < this.starts.length && this.starts[i + 1]! <= pos) i++;
      if (i < 0 || pos >= this.starts[i]! + this.sizes[i]!) {
        // Bytes never written by the stream read as zeros, exactly as replaying into a sparse file.
        const nextStart = i + 1 < this.starts.length ? this.starts[i + 1]! : Infinity;
        const n = Math.min(length - done, nextStart - pos);
        target.fill(0, targetOffset + done, targetOffset + done + n);
        done += n;
        continue;
      }
      const within = pos - this.starts[i]!;
      const n = Math.min(length - done, this.sizes[i]! - within);
      this.file.readInto(this.fileOffsets[i]! + within, target, targetOffset + done, n);
      done += n;
    }
  }
}

interface Piece {
  readonly start: number;
  readonly end: number;
  /** File offset of `start`'s byte. */
  readonly file: number;
  /** Position in the stream: a later record overwrites an earlier one when replayed. */
  readonly order: number;
}

/**
 * Disjoint pieces, sorted by start, where every byte comes from the last record that wrote it.
 * QEMU and makedumpfile write each byte once, so the common case is a plain sort; otherwise records
 * are laid down newest first and each older one only fills what is still uncovered.
 */
export function newestWins(recs: readonly Piece[]): Piece[] {
  const sorted = [...recs].sort((a, b) => a.start - b.start || a.order - b.order);
  if (sorted.every((r, i) => i === 0 || r.start >= sorted[i - 1]!.end)) return sorted;
  const out: Piece[] = [];
  for (const r of [...recs].sort((a, b) => b.order - a.order)) {
    // first piece that ends after r starts
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (out[mid]!.end <= r.start) lo = mid + 1;
      else hi = mid;
    }
    const gaps: Piece[] = [];
    let cur = r.start;
    let i = lo;
    for (; i < out.length && out[i]!.start < r.end; i++) {
      if (out[i]!.start > cur) gaps.push({ start: cur, end: out[i]!.start, file: r.file + (cur - r.start), order: r.order });
      cur = Math.max(cur, out[i]!.end);
    }
    if (cur < r.end) gaps.push({ start: cur, end: r.end, file: r.file + (cur - r.start), order: r.order });
    // gaps interleave with out[lo, i): merge the two sorted runs back in place
    const between = out.slice(lo, i);
    const mergedRun = [...between, ...gaps].sort((a, b) => a.start - b.start);
    out.splice(lo, i - lo, ...mergedRun);
  }
  return out;
}

function upperBound(arr: number[], v: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class PlainSource implements ByteSource {
  constructor(private readonly file: FileReader) {}
  get size(): number {
    return this.file.size;
  }
  read(offset: number, length: number): Buffer {
    return this.file.read(offset, length);
  }
  readInto(offset: number, target: Buffer, targetOffset: number, length: number): void {
    this.file.readInto(offset, target, targetOffset, length);
  }
}

interface KdumpHeader {
  headerVersion: number;
  machine: string;
  release: string;
  blockSize: number;
  subHdrSize: number;
  bitmapBlocks: number;
  maxMapnr: number;
  physBase: bigint;
  vmcoreinfo?: string;
}

function parseHeader(src: ByteSource, path: string): KdumpHeader {
  const h = src.read(0, 512);
  if (!isKdump(h)) throw new InputError(path, 'not a kdump-compressed file (bad signature)');
  const headerVersion = h.readInt32LE(8);
  // struct new_utsname: 6 fields of 65 bytes from offset 12; machine is the 5th.
  const uts = (i: number) => cString(h, 12 + i * 65, 65);
  const release = uts(2);
  const machine = uts(4);
  // After utsname (402) the timeval is 8-aligned at 408 on 64-bit producers.
  const blockSize = h.readInt32LE(428);
  const subHdrSize = h.readInt32LE(432);
  const bitmapBlocks = h.readUInt32LE(436);
  let maxMapnr = h.readUInt32LE(440);
  if (blockSize <= 0 || (blockSize & (blockSize - 1)) !== 0 || blockSize > 1 << 20) {
    throw new InputError(path, `kdump header has an invalid block size ${blockSize} (32-bit producer or corrupt header)`);
  }
  const sub = src.read(blockSize, Math.max(104, 0));
  const physBase = sub.readBigUInt64LE(0);
  let vmcoreinfo: string | undefined;
  if (headerVersion >= 3) {
    const off = Number(sub.readBigUInt64LE(32));
    const size = Number(sub.readBigUInt64LE(40));
    if (off > 0 && size > 0 && size < 1 << 20 && off + size <= src.size) {
      vmcoreinfo = src.read(off, size).toString('latin1').replace(/\0+$/, '');
    }
  }
  if (headerVersion >= 6) {
    const max64 = sub.readBigUInt64LE(96);
    if (max64 > 0n) maxMapnr = Number(max64);
  }
  return { headerVersion, machine, release, blockSize, subHdrSize, bitmapBlocks, maxMapnr, physBase, vmcoreinfo };
}

function cString(buf: Buffer, off: number, max: number): string {
  const end = buf.indexOf(0, off);
  return buf.toString('latin1', off, end < 0 || end > off + max ? off + max : end);
}

/** Page lookup: pfn → index among dumped pages, via the second bitmap and a rank table. */
class DumpedPages implements RangeBacking {
  readonly label: string;
  private readonly rank: Uint32Array;
  private readonly cache = new Map<number, Buffer>();
  private readonly descBase: number;

  constructor(
    private readonly src: ByteSource,
    private readonly path: string,
    private readonly hdr: KdumpHeader,
    private readonly bitmap: Buffer,
  ) {
    this.label = `${path} (kdump pages)`;
    // rank[i] = number of dumped pages before pfn i*64
    const words = Math.ceil(bitmap.length / 8);
    this.rank = new Uint32Array(words + 1);
    let total = 0;
    for (let w = 0; w < words; w++) {
      this.rank[w] = total;
      for (let b = 0; b < 8; b++) total += popcount8(bitmap[w * 8 + b] ?? 0);
    }
    this.rank[words] = total;
    this.descBase = (1 + hdr.subHdrSize + hdr.bitmapBlocks) * hdr.blockSize;
  }

  isDumped(pfn: number): boolean {
    const byte = this.bitmap[pfn >> 3];
    return byte !== undefined && (byte & (1 << (pfn & 7))) !== 0;
  }

  private indexOf(pfn: number): number {
    const w = pfn >> 6;
    let n = this.rank[w]!;
    const base = w * 8;
    const lastByte = pfn >> 3;
    for (let b = base; b < lastByte; b++) n += popcount8(this.bitmap[b]!);
    const partial = this.bitmap[lastByte]! & ((1 << (pfn & 7)) - 1);
    return n + popcount8(partial);
  }

  page(pfn: number): Buffer {
    const hit = this.cache.get(pfn);
    if (hit) return hit;
    const bs = this.hdr.blockSize;
    const desc = this.src.read(this.descBase + this.indexOf(pfn) * PAGE_DESC_SIZE, PAGE_DESC_SIZE);
    const offset = Number(desc.readBigInt64LE(0));
    const size = desc.readUInt32LE(8);
    const flags = desc.readUInt32LE(12);
    if (offset <= 0 || size > bs * 2 || offset + size > this.src.size) {
      throw new InputError(this.path, `corrupt page descriptor for pfn 0x${pfn.toString(16)} (offset ${offset}, size ${size})`);
    }
    const raw = this.src.read(offset, size);
    let data: Buffer;
    try {
      if (flags & DUMP_DH_COMPRESSED_ZLIB) data = inflateSync(raw);
      else if (flags & DUMP_DH_COMPRESSED_LZO) data = lzo1xDecompress(raw, bs);
      else if (flags & DUMP_DH_COMPRESSED_SNAPPY) data = Buffer.from(snappy.uncompress(raw) as Uint8Array);
      else if (flags & DUMP_DH_COMPRESSED_ZSTD) data = Buffer.from(zstdDecompress(raw));
      else data = raw;
    } catch (e) {
      throw new InputError(this.path, `cannot decompress page for pfn 0x${pfn.toString(16)}: ${(e as Error).message}`);
    }
    if (data.length !== bs) throw new InputError(this.path, `page for pfn 0x${pfn.toString(16)} is ${data.length} bytes, expected ${bs}`);
    if (this.cache.size >= PAGE_CACHE_PAGES) this.cache.delete(this.cache.keys().next().value as number);
    this.cache.set(pfn, data);
    return data;
  }

  /** Offsets here are physical addresses (backingOffset = range start). */
  readInto(offset: number, target: Buffer, targetOffset: number, length: number): void {
    const bs = this.hdr.blockSize;
    let done = 0;
    while (done < length) {
      const pa = offset + done;
      const pfn = Math.floor(pa / bs);
      const within = pa - pfn * bs;
      const n = Math.min(length - done, bs - within);
      this.page(pfn).copy(target, targetOffset + done, within, within + n);
      done += n;
    }
  }
}

function popcount8(b: number): number {
  b = b - ((b >> 1) & 0x55);
  b = (b & 0x33) + ((b >> 2) & 0x33);
  return (b + (b >> 4)) & 0x0f;
}

export function openKdump(path: string): OpenedDump {
  const file = new FileReader(path);
  try {
    const head = file.read(0, Math.min(file.size, 64));
    const src: ByteSource = isFlattened(head) ? new FlattenedSource(file) : new PlainSource(file);
    const hdr = parseHeader(src, path);
    const bs = hdr.blockSize;
    const bitmapOffset = (1 + hdr.subHdrSize) * bs;
    const bitmapLen = hdr.bitmapBlocks * bs;
    if (bitmapOffset + bitmapLen > src.size) throw new InputError(path, 'truncated: kdump bitmaps extend past the end of the file');
    // The second half is the bitmap of pages actually present in the dump.
    const half = bitmapLen / 2;
    const dumped = src.read(bitmapOffset + half, half);
    const pages = new DumpedPages(src, path, hdr, dumped);
    // Present pages become physical ranges (runs of set bits); excluded pages are holes.
    const ranges: PhysRange[] = [];
    const maxPfn = Math.min(hdr.maxMapnr, half * 8);
    let runStart = -1;
    for (let pfn = 0; pfn <= maxPfn; pfn++) {
      const present = pfn < maxPfn && pages.isDumped(pfn);
      if (present && runStart < 0) runStart = pfn;
      else if (!present && runStart >= 0) {
        const start = BigInt(runStart) * BigInt(bs);
        ranges.push({ start, end: BigInt(pfn) * BigInt(bs), backing: pages, backingOffset: runStart * bs });
        runStart = -1;
      }
    }
    const machine = hdr.machine === 'x86_64' ? 'x86_64' : hdr.machine === 'aarch64' || hdr.machine === 'arm64' ? 'arm64' : undefined;
    return {
      memory: new PhysicalMemory(ranges),
      format: 'kdump',
      files: [path],
      baseKnown: true,
      vmcoreinfo: hdr.vmcoreinfo,
      machine,
      containerPageSize: bs,
      close: () => file.close(),
    };
  } catch (e) {
    file.close();
    throw e;
  }
}
