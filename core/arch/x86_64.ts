/**
 * x86_64 (arch/x86/include/asm/page_64_types.h, pgtable_64_types.h).
 * The image lives at __START_KERNEL_map + KASLR; its physical address is va − __START_KERNEL_map +
 * phys_base. With RANDOMIZE_MEMORY the direct map, vmalloc and vmemmap bases move too: they are read
 * from page_offset_base / vmalloc_base / vmemmap_base, never assumed.
 */
import type { PhysicalMemory } from '../dump/physical-memory.js';
import { KernelArch, type ArchParams } from './kernel-arch.js';
import { x86Walk, type Translation } from './mmu.js';

export const START_KERNEL_MAP = 0xffffffff80000000n;
/** __PAGE_OFFSET_BASE_L4 (4.20+; 0xffff880000000000 before) and _L5. */
export const PAGE_OFFSET_L4 = 0xffff888000000000n;
export const PAGE_OFFSET_L4_OLD = 0xffff880000000000n;
export const PAGE_OFFSET_L5 = 0xff11000000000000n;

export interface X86Params extends ArchParams {
  readonly physBase: bigint;
  readonly levels: 4 | 5;
  /** Physical address of init_top_pgt. */
  readonly topPhys: bigint;
}

export class X86_64Arch extends KernelArch {
  readonly name = 'x86_64' as const;

  constructor(
    readonly x86: X86Params,
    memory: PhysicalMemory,
  ) {
    super(x86, memory);
  }

  canonical(va: bigint): bigint {
    const bits = BigInt(this.x86.levels === 5 ? 57 : 48);
    const v = BigInt.asUintN(64, va);
    return (v >> (bits - 1n)) & 1n ? v | (((1n << 64n) - 1n) ^ ((1n << bits) - 1n)) : v & ((1n << bits) - 1n);
  }

  isKernelAddress(va: bigint): boolean {
    return (va >> 63n) === 1n;
  }

  walk(va: bigint): Translation {
    return x86Walk({ topPhys: this.x86.topPhys, levels: this.x86.levels }, (pa) => this.readU64Phys(pa), va);
  }

  physToVirt(pa: bigint): bigint {
    return pa + this.params.pageOffset;
  }
}
