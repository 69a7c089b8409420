/**
 * struct page fields the walkers decode from bulk buffers, at offsets taken once from type info,
 * and the page-type tests (include/linux/page-flags.h).
 */
import type { Kernel } from '../kernel/kernel.js';

/** Old page_type scheme (4.18–6.11): a bit cleared under PAGE_TYPE_BASE marks the type. */
const PAGE_TYPE_BASE_OLD = 0xf0000000;
const PG_BUDDY_OLD = 0x00000080;

export class PageLayout {
  readonly size: number;
  readonly flags: number;
  readonly pageType: number;
  readonly private_: number;
  readonly memcgData: number | undefined;
  readonly compoundHead: number | undefined;
  readonly refcount: number | undefined;
  readonly mapping: number | undefined;
  /** 6.12+: page_type >> 24 == PGTY_buddy. */
  private readonly pgtyBuddy: number | undefined;
  private readonly pgtySlab: number | undefined;
  private readonly pgSlab: bigint | undefined;

  constructor(kernel: Kernel) {
    const T = 'struct page';
    this.size = kernel.sizeof(T);
    this.flags = kernel.offsetof(T, 'flags');
    this.pageType = kernel.offsetof(T, kernel.hasMember(T, 'page_type') ? 'page_type' : '_mapcount');
    this.private_ = kernel.offsetof(T, 'private');
    this.memcgData = kernel.hasMember(T, 'memcg_data') ? kernel.offsetof(T, 'memcg_data') : undefined;
    this.compoundHead = kernel.hasMember(T, 'compound_head') ? kernel.offsetof(T, 'compound_head') : undefined;
    this.refcount = kernel.hasMember(T, '_refcount') ? kernel.offsetof(T, '_refcount') : undefined;
    this.mapping = kernel.hasMember(T, 'mapping') ? kernel.offsetof(T, 'mapping') : undefined;
    const b = kernel.enumValue('PGTY_buddy');
    this.pgtyBuddy = b === undefined ? undefined : Number(b);
    const s = kernel.enumValue('PGTY_slab');
    this.pgtySlab = s === undefined ? undefined : Number(s);
    this.pgSlab = kernel.enumValue('PG_slab');
  }

  isBuddy(buf: Buffer, off: number): boolean {
    const t = buf.readUInt32LE(off + this.pageType);
    if (this.pgtyBuddy !== undefined) return t >>> 24 === this.pgtyBuddy;
    return ((t & (PAGE_TYPE_BASE_OLD | PG_BUDDY_OLD)) >>> 0) === PAGE_TYPE_BASE_OLD;
  }

  /** PageSlab: the PGTY_slab page type since 6.10, the PG_slab flag before. */
  isSlab(buf: Buffer, off: number): boolean {
    if (this.pgtySlab !== undefined) return buf.readUInt32LE(off + this.pageType) >>> 24 === this.pgtySlab;
    return this.pgSlab !== undefined && ((this.flagsOf(buf, off) >> this.pgSlab) & 1n) === 1n;
  }

  flagsOf(buf: Buffer, off: number): bigint {
    return buf.readBigUInt64LE(off + this.flags);
  }

  privateOf(buf: Buffer, off: number): bigint {
    return buf.readBigUInt64LE(off + this.private_);
  }

  /** page->private when it is a small non-negative number (a buddy order), else -1. */
  smallPrivateOf(buf: Buffer, off: number): number {
    const hi = buf.readUInt32LE(off + this.private_ + 4);
    if (hi !== 0) return -1;
    const lo = buf.readUInt32LE(off + this.private_);
    return lo > 64 ? -1 : lo;
  }

  memcgDataOf(buf: Buffer, off: number): bigint {
    return this.memcgData === undefined ? 0n : buf.readBigUInt64LE(off + this.memcgData);
  }

  /** PageTail: compound_head bit 0. */
  isTail(buf: Buffer, off: number): boolean {
    return this.compoundHead !== undefined && (buf[off + this.compoundHead]! & 1) === 1;
  }
}
