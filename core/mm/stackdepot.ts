/**
 * Stack depot (lib/stackdepot.c, include/linux/stackdepot.h): handle → stack_record → frames.
 *
 * The handle is a u32 split by `union handle_parts`; the split changed several times, so the field
 * names and widths are read from type info, never from the version:
 *   4.6–6.0  slabindex:21 offset:10 valid:1               stack_slabs[]
 *   6.1–6.2  slabindex:16 offset:10 valid:1 extra:5       stack_slabs[]
 *   6.3–6.7  pool_index:16 offset:10 valid:1 extra:5      stack_pools[]  (renamed in 6.3)
 *   6.8.0    pool_index:17 offset:10 extra:5              stack_pools[]  (valid bit dropped)
 *   6.9+     pool_index_plus_1:17 offset:10 extra:5       stack_pools[]  (index stored +1; also 6.8.3+)
 * Record address = pool base + (offset << DEPOT_STACK_ALIGN), DEPOT_STACK_ALIGN = 4 since 4.6.
 * stack_record's `size` and `entries[]` are read by name (the record layout changed in 6.8).
 */
import type { Kernel } from '../kernel/kernel.js';
import type { CType } from '../types/ctype.js';
import type { TypeLayout } from '../types/layout.js';
import { RamparseError } from '../util/errors.js';

const DEPOT_STACK_ALIGN = 4;
/** Sanity bound: CONFIG_STACKDEPOT_MAX_FRAMES defaults to 64; page_owner saves 16. */
const MAX_FRAMES = 256;

interface Field {
  readonly shift: number;
  readonly width: number;
}

export interface HandleLayout {
  readonly index: Field;
  /** True when the stored index is pool_index + 1 (6.9+), so 0 means "no pool". */
  readonly indexPlusOne: boolean;
  readonly offset: Field;
  readonly valid?: Field;
  readonly extra?: Field;
  readonly poolsSymbol: 'stack_pools' | 'stack_slabs';
}

function field(v: number, f: Field): number {
  return f.width >= 32 ? v >>> 0 : (v >>> f.shift) & ((1 << f.width) - 1);
}

/** The layout described by a `union handle_parts` type. */
export function handleLayoutOf(types: TypeLayout, u: CType, poolsSymbol: 'stack_pools' | 'stack_slabs'): HandleLayout {
  const f = (name: string): Field | undefined => {
    const m = types.findMember(u, name);
    return m ? { shift: m.bitOffset, width: m.bitSize || 32 } : undefined;
  };
  const plus1 = f('pool_index_plus_1');
  const index = plus1 ?? f('pool_index') ?? f('slabindex');
  const offset = f('offset');
  if (!index || !offset) throw new RamparseError('union handle_parts has no index/offset bitfields this version of ramparse knows');
  return { index, indexPlusOne: plus1 !== undefined, offset, valid: f('valid'), extra: f('extra'), poolsSymbol };
}

/** Read `union handle_parts` from the kernel's type info into a layout. */
export function handleLayout(kernel: Kernel): HandleLayout {
  const u = kernel.types.find('union handle_parts');
  if (!u) throw new RamparseError('union handle_parts is not in the type info: cannot decode stack depot handles');
  const poolsSymbol = kernel.hasSymbol('stack_pools') ? 'stack_pools' : 'stack_slabs';
  if (!kernel.hasSymbol(poolsSymbol)) throw new RamparseError('neither stack_pools nor stack_slabs is in the vmlinux');
  return handleLayoutOf(kernel.types, u, poolsSymbol);
}

export interface DecodedHandle {
  /** Pool (or slab) index, already corrected for the +1 encoding. */
  readonly pool: number;
  /** Byte offset of the record inside its pool. */
  readonly offset: number;
}

/** Split a handle; undefined for handles the kernel would reject (valid bit clear, index+1 of 0). */
export function decodeHandle(l: HandleLayout, handle: number): DecodedHandle | undefined {
  if (!handle) return undefined;
  if (l.valid && field(handle, l.valid) === 0) return undefined;
  let pool = field(handle, l.index);
  if (l.indexPlusOne) {
    if (pool === 0) return undefined;
    pool -= 1;
  }
  return { pool, offset: field(handle, l.offset) << DEPOT_STACK_ALIGN };
}

export class StackDepot {
  readonly layout: HandleLayout;
  private readonly pools: bigint;
  private readonly sizeOffset: number;
  private readonly entriesOffset: number;
  private readonly handleOffset: number | undefined;
  private readonly cache = new Map<number, readonly bigint[] | null>();
  private readonly maxPools: number;

  constructor(readonly kernel: Kernel) {
    this.layout = handleLayout(kernel);
    this.pools = kernel.symbol(this.layout.poolsSymbol);
    this.sizeOffset = kernel.offsetof('struct stack_record', 'size');
    this.entriesOffset = kernel.offsetof('struct stack_record', 'entries');
    this.handleOffset = kernel.hasMember('struct stack_record', 'handle') ? kernel.offsetof('struct stack_record', 'handle') : undefined;
    const sym = kernel.vmlinux.symbols.get(this.layout.poolsSymbol);
    this.maxPools = sym?.size ? sym.size / 8 : 1 << this.layout.index.width;
  }

  /** Frames of a handle, or undefined for an invalid or unreadable handle. Cached by handle. */
  fetch(handle: number): readonly bigint[] | undefined {
    if (!handle) return undefined;
    const hit = this.cache.get(handle);
    if (hit !== undefined) return hit ?? undefined;
    const frames = this.read(handle);
    this.cache.set(handle, frames ?? null);
    return frames;
  }

  /** Address of the stack_record a handle points to (no validation beyond the pool lookup). */
  recordAddress(handle: number): bigint | undefined {
    const d = decodeHandle(this.layout, handle);
    if (!d || d.pool >= this.maxPools) return undefined;
    const pool = this.kernel.readPointer(this.pools + BigInt(d.pool * 8));
    if (pool === 0n) return undefined;
    return pool + BigInt(d.offset);
  }

  private read(handle: number): readonly bigint[] | undefined {
    try {
      const rec = this.recordAddress(handle);
      if (rec === undefined) return undefined;
      const head = this.kernel.read(rec, this.entriesOffset);
      const size = head.readUInt32LE(this.sizeOffset);
      if (size === 0 || size > MAX_FRAMES) return undefined;
      if (this.handleOffset !== undefined) {
        // The record stores its own handle (without extra bits): a cheap check against garbage.
        const stored = head.readUInt32LE(this.handleOffset);
        const mask = this.layout.extra ? ~(((1 << this.layout.extra.width) - 1) << this.layout.extra.shift) >>> 0 : 0xffffffff;
        if ((stored & mask) >>> 0 !== (handle & mask) >>> 0) return undefined;
      }
      const raw = this.kernel.read(rec + BigInt(this.entriesOffset), size * 8);
      const frames: bigint[] = new Array(size);
      for (let i = 0; i < size; i++) frames[i] = raw.readBigUInt64LE(i * 8);
      return frames;
    } catch (e) {
      if (e instanceof RamparseError) return undefined;
      throw e;
    }
  }
}
