/**
 * Pageblock migratetype (mm/page_alloc.c get_pfnblock_flags_mask()): NR_PAGEBLOCK_BITS bits per
 * pageblock in the section's usage->pageblock_flags bitmap (SPARSEMEM) or zone->pageblock_flags
 * (FLATMEM). Bit counts come from enum pageblock_bits.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { MemoryModel } from './memory-model.js';

export class Pageblocks {
  private readonly bitsPerBlock: number;
  private readonly migratetypeMask: number;
  private readonly isolateBit: number | undefined;
  private readonly isolateType: number | undefined;
  private readonly words = new Map<bigint, bigint>();

  constructor(
    private readonly kernel: Kernel,
    private readonly model: MemoryModel,
  ) {
    const nr = kernel.enumValue('NR_PAGEBLOCK_BITS') ?? kernel.enumValue('__NR_PAGEBLOCK_BITS');
    let bits = Number(nr ?? 4n);
    // Newer kernels round the per-block width up to a power of two.
    if (kernel.enumValue('NR_PAGEBLOCK_BITS') === undefined && nr !== undefined) bits = 2 ** Math.ceil(Math.log2(bits));
    this.bitsPerBlock = bits;
    const end = kernel.enumValue('PB_migrate_end');
    this.migratetypeMask = end !== undefined ? (1 << (Number(end) + 1)) - 1 : 7;
    const iso = kernel.enumValue('PB_migrate_isolate');
    this.isolateBit = iso === undefined ? undefined : Number(iso);
    const isoType = kernel.enumValue('MIGRATE_ISOLATE');
    this.isolateType = isoType === undefined ? undefined : Number(isoType);
  }

  private word(addr: bigint): bigint {
    let w = this.words.get(addr);
    if (w === undefined) {
      w = this.kernel.readU64(addr);
      this.words.set(addr, w);
    }
    return w;
  }

  /** The pageblock's migratetype, as get_pageblock_migratetype() returns it. */
  migratetype(pfn: number): number {
    const loc = this.model.pageblockBitmap(pfn, this.bitsPerBlock);
    if (!loc) return 0;
    const wordAddr = loc.bitmap + BigInt(Math.floor(loc.bitIndex / 64) * 8);
    const w = this.word(wordAddr);
    const bits = Number((w >> BigInt(loc.bitIndex % 64)) & 0xffn);
    if (this.isolateBit !== undefined && this.isolateType !== undefined && (bits >> this.isolateBit) & 1) return this.isolateType;
    return bits & this.migratetypeMask;
  }
}
