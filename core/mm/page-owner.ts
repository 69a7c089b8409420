/**
 * page_owner records (mm/page_owner.c read_page_owner()), walked with the kernel's own selection
 * rules: pfn from min_low_pfn to max_pfn, pfn_valid() checked per MAX_ORDER block, buddy pages skipped
 * by their order, PAGE_EXT_OWNER and PAGE_EXT_OWNER_ALLOCATED both set, order-aligned heads only,
 * non-zero handle. struct pages and page_ext entries are read per chunk in bulk and decoded at
 * offsets computed once.
 */
import type { Kernel } from '../kernel/kernel.js';
import { RamparseError } from '../util/errors.js';
import { MemoryModel } from './memory-model.js';
import { PageLayout } from './page-layout.js';

export interface PageOwnerRecord {
  readonly pfn: number;
  readonly order: number;
  readonly gfpMask: number;
  readonly handle: number;
  readonly freeHandle: number;
  readonly tsNsec: bigint;
  readonly freeTsNsec: bigint;
  readonly pid: number;
  readonly tgid: number;
  readonly comm: string;
  readonly freePid: number;
  readonly freeTgid: number;
  readonly lastMigrateReason: number;
  readonly pageFlags: bigint;
  readonly memcgData: bigint;
  /** PAGE_EXT_OWNER_ALLOCATED: false for records of freed pages (walkFreed). */
  readonly allocated: boolean;
}

interface OwnerOffsets {
  readonly base: number;
  readonly order: number;
  readonly lastMigrateReason?: number;
  readonly gfpMask: number;
  readonly handle: number;
  readonly freeHandle?: number;
  readonly tsNsec?: number;
  readonly freeTsNsec?: number;
  readonly comm?: number;
  readonly commLen: number;
  readonly pid?: number;
  readonly tgid?: number;
  readonly freePid?: number;
  readonly freeTgid?: number;
}

export interface PageOwnerFields {
  readonly pid: boolean;
  readonly tgid: boolean;
  readonly comm: boolean;
  readonly tsNsec: boolean;
  readonly freeTsNsec: boolean;
  readonly freeHandle: boolean;
  readonly freePid: boolean;
  readonly lastMigrateReason: boolean;
}

export interface WalkStats {
  pfnsVisited: number;
  records: number;
  skippedRanges: string[];
}

const CHUNK_PAGES = 1 << 14;

export class PageOwnerWalker {
  readonly model: MemoryModel;
  readonly page: PageLayout;
  readonly pageExtSize: number;
  readonly fields: PageOwnerFields;
  private readonly off: OwnerOffsets;
  private readonly extFlagsOffset: number;
  private readonly sharedValues = new Map<number, Map<number, bigint>>();
  private readonly bitOwner: number;
  private readonly bitAllocated: number;

  constructor(readonly kernel: Kernel) {
    this.model = new MemoryModel(kernel);
    this.page = new PageLayout(kernel);
    if (!kernel.hasSymbol('page_owner_ops')) throw new RamparseError('page_owner_ops not in the vmlinux: kernel built without CONFIG_PAGE_OWNER');
    const opsOffset = Number(kernel.object('struct page_ext_operations', kernel.symbol('page_owner_ops')).value('offset'));
    this.pageExtSize = kernel.hasSymbol('page_ext_size')
      ? Number(kernel.readU64(kernel.symbol('page_ext_size')))
      : kernel.sizeof('struct page_ext') + kernel.sizeof('struct page_owner');
    if (!this.pageExtSize || this.pageExtSize > 4096) throw new RamparseError(`implausible page_ext_size ${this.pageExtSize}`);
    this.extFlagsOffset = kernel.offsetof('struct page_ext', 'flags');
    this.bitOwner = Number(kernel.enumValue('PAGE_EXT_OWNER') ?? 0n);
    this.bitAllocated = Number(kernel.enumValue('PAGE_EXT_OWNER_ALLOCATED') ?? 1n);
    const P = 'struct page_owner';
    const o = (m: string) => (kernel.hasMember(P, m) ? kernel.offsetof(P, m) : undefined);
    const commLen = kernel.hasMember(P, 'comm') ? kernel.sizeof(kernel.types.member(P, 'comm').type) : 0;
    this.off = {
      base: opsOffset,
      order: kernel.offsetof(P, 'order'),
      lastMigrateReason: o('last_migrate_reason'),
      gfpMask: kernel.offsetof(P, 'gfp_mask'),
      handle: kernel.offsetof(P, 'handle'),
      freeHandle: o('free_handle'),
      tsNsec: o('ts_nsec'),
      freeTsNsec: o('free_ts_nsec'),
      comm: o('comm'),
      commLen,
      pid: o('pid'),
      tgid: o('tgid'),
      freePid: o('free_pid'),
      freeTgid: o('free_tgid'),
    };
    this.fields = {
      pid: this.off.pid !== undefined,
      tgid: this.off.tgid !== undefined,
      comm: this.off.comm !== undefined,
      tsNsec: this.off.tsNsec !== undefined,
      freeTsNsec: this.off.freeTsNsec !== undefined,
      freeHandle: this.off.freeHandle !== undefined,
      freePid: this.off.freePid !== undefined,
      lastMigrateReason: this.off.lastMigrateReason !== undefined,
    };
  }

  /** The pfn range the kernel's reader walks. */
  get range(): { start: number; end: number } {
    return { start: this.model.minLowPfn, end: this.model.maxPfn };
  }

  /**
   * Yield records in pfn order. `which`: 'allocated' is what /sys/kernel/debug/page_owner prints;
   * 'freed' yields pages whose page_ext still remembers a past owner (PAGE_EXT_OWNER set, ALLOCATED clear).
   */
  *walk(which: 'allocated' | 'freed' = 'allocated', stats?: WalkStats, onProgress?: (pfn: number) => void): Generator<PageOwnerRecord> {
    const m = this.model;
    const maxOrderNr = m.maxOrderNrPages;
    const end = m.maxPfn;
    let pfn = m.minLowPfn;
    while (pfn < end && !m.pfnValid(pfn) && pfn % maxOrderNr !== 0) pfn++;
    let chunk: Chunk | undefined;
    let lastProgress = pfn;
    for (; pfn < end; pfn++) {
      if (pfn % maxOrderNr === 0 && !m.pfnValid(pfn)) {
        pfn += maxOrderNr - 1;
        continue;
      }
      if (stats) stats.pfnsVisited++;
      if (onProgress && pfn - lastProgress >= 65536) {
        onProgress(pfn);
        lastProgress = pfn;
      }
      if (!chunk || pfn >= chunk.end) {
        chunk = this.loadChunk(pfn, end, stats);
        if (!chunk.pages) {
          pfn = chunk.end - 1;
          continue;
        }
      }
      const pages = chunk.pages!;
      const pOff = (pfn - chunk.start) * this.page.size;
      if (this.page.isBuddy(pages, pOff)) {
        // buddy_order_unsafe(): page->private; only a sane order lets the kernel skip ahead
        const order = this.page.smallPrivateOf(pages, pOff);
        if (order >= 0 && order < m.nrPageOrders) pfn += (1 << order) - 1;
        continue;
      }
      const ext = chunk.ext;
      if (!ext) continue;
      const eOff = (pfn - chunk.start) * this.pageExtSize;
      if (!this.extBit(ext, eOff, this.bitOwner)) continue;
      const allocated = this.extBit(ext, eOff, this.bitAllocated);
      if (allocated !== (which === 'allocated')) continue;
      const po = eOff + this.off.base;
      const order = ext.readUInt16LE(po + this.off.order);
      if (order < 32 && pfn % 2 ** order !== 0) continue;
      const handle = ext.readUInt32LE(po + this.off.handle);
      if (which === 'allocated' && !handle) continue;
      const freeHandle = this.off.freeHandle !== undefined ? ext.readUInt32LE(po + this.off.freeHandle) : 0;
      if (which === 'freed' && !freeHandle) continue;
      if (stats) stats.records++;
      yield this.decode(pfn, ext, po, pages, pOff, allocated, order, handle, freeHandle);
    }
  }

  /**
   * A u64 that repeats across pages (page->flags, page->memcg_data) as a bigint shared between equal
   * values: most pages share a few of them, and a new bigint per page is the walk's main cost.
   */
  private shared(buf: Buffer, off: number): bigint {
    const lo = buf.readUInt32LE(off);
    const hi = buf.readUInt32LE(off + 4);
    let byHi = this.sharedValues.get(hi);
    if (!byHi) this.sharedValues.set(hi, (byHi = new Map()));
    let v = byHi.get(lo);
    if (v === undefined) {
      v = (BigInt(hi) << 32n) | BigInt(lo);
      if (byHi.size < 65536) byHi.set(lo, v);
    }
    return v;
  }

  /** test_bit(bit, &page_ext->flags) without allocating a bigint per page. */
  private extBit(ext: Buffer, eOff: number, bit: number): boolean {
    return ((ext[eOff + this.extFlagsOffset + (bit >> 3)]! >> (bit & 7)) & 1) === 1;
  }

  private decode(pfn: number, ext: Buffer, po: number, pages: Buffer, pOff: number, allocated: boolean, order: number, handle: number, freeHandle: number): PageOwnerRecord {
    const o = this.off;
    let comm = '';
    if (o.comm !== undefined) {
      const start = po + o.comm;
      const z = ext.indexOf(0, start);
      comm = ext.toString('latin1', start, z < 0 || z > start + o.commLen ? start + o.commLen : z);
    }
    return {
      pfn,
      order,
      gfpMask: ext.readUInt32LE(po + o.gfpMask),
      handle,
      freeHandle,
      tsNsec: o.tsNsec !== undefined ? u64(ext, po + o.tsNsec) : 0n,
      freeTsNsec: o.freeTsNsec !== undefined ? u64(ext, po + o.freeTsNsec) : 0n,
      pid: o.pid !== undefined ? ext.readInt32LE(po + o.pid) : 0,
      tgid: o.tgid !== undefined ? ext.readInt32LE(po + o.tgid) : 0,
      comm,
      freePid: o.freePid !== undefined ? ext.readInt32LE(po + o.freePid) : 0,
      freeTgid: o.freeTgid !== undefined ? ext.readInt32LE(po + o.freeTgid) : 0,
      lastMigrateReason: o.lastMigrateReason !== undefined ? ext.readInt16LE(po + o.lastMigrateReason) : -1,
      pageFlags: this.shared(pages, pOff + this.page.flags),
      memcgData: this.page.memcgData === undefined ? 0n : this.shared(pages, pOff + this.page.memcgData),
      allocated,
    };
  }

  /** Bulk-read struct pages and page_ext entries for the chunk containing pfn. */
  private loadChunk(pfn: number, end: number, stats?: WalkStats): Chunk {
    const m = this.model;
    const start = pfn - (pfn % CHUNK_PAGES);
    let chunkEnd = Math.min(start + CHUNK_PAGES, end);
    if (m.sparse) {
      const secEnd = (m.sectionNr(pfn) + 1) * m.pagesPerSection;
      chunkEnd = Math.min(chunkEnd, secEnd);
    }
    const count = chunkEnd - start;
    let pages: Buffer | undefined;
    try {
      pages = m.readPages(start, count);
    } catch (e) {
      const msg = `pfn 0x${start.toString(16)}-0x${(chunkEnd - 1).toString(16)}: struct pages unreadable (${(e as Error).message}); skipped`;
      stats?.skippedRanges.push(msg);
      this.kernel.warn(msg);
      return { start, end: chunkEnd };
    }
    let ext: Buffer | undefined;
    const base = this.pageExtBase(pfn);
    if (base !== undefined) {
      try {
        ext = this.kernel.read((base + BigInt(start) * BigInt(this.pageExtSize)) & 0xffffffffffffffffn, count * this.pageExtSize);
      } catch (e) {
        const msg = `pfn 0x${start.toString(16)}-0x${(chunkEnd - 1).toString(16)}: page_ext unreadable (${(e as Error).message}); skipped`;
        stats?.skippedRanges.push(msg);
        this.kernel.warn(msg);
      }
    }
    return { start, end: chunkEnd, pages, ext };
  }

  /**
   * page_ext "base" such that entry(pfn) = base + pfn * page_ext_size: SPARSEMEM keeps exactly that
   * in mem_section->page_ext (low bit set = invalid); FLATMEM keeps the node's table.
   */
  private pageExtBase(pfn: number): bigint | undefined {
    const m = this.model;
    if (m.sparse) {
      const s = m.section(m.sectionNr(pfn));
      if (!s || s.pageExt === 0n || (s.pageExt & 1n) === 1n) return undefined;
      return s.pageExt;
    }
    const pgdat = this.kernel.object('struct pglist_data', this.kernel.symbol('contig_page_data'));
    const table = pgdat.ptr('node_page_ext');
    if (table === 0n) return undefined;
    const startPfn = pgdat.num('node_start_pfn');
    const first = startPfn - (startPfn % m.maxOrderNrPages);
    return table - BigInt(first) * BigInt(this.pageExtSize);
  }
}

/**
 * A u64 field. Values below 2^53 (timestamps in ns up to 104 days of uptime, zero fields) become one
 * bigint from an exact double, which costs far less than Buffer.readBigUInt64LE's bigint arithmetic.
 */
function u64(buf: Buffer, off: number): bigint {
  const lo = buf.readUInt32LE(off);
  const hi = buf.readUInt32LE(off + 4);
  if (hi === 0) return lo === 0 ? 0n : BigInt(lo);
  if (hi < 0x200000) return BigInt(hi * 4294967296 + lo);
  return buf.readBigUInt64LE(off);
}

interface Chunk {
  readonly start: number;
  readonly end: number;
  readonly pages?: Buffer;
  readonly ext?: Buffer;
}
