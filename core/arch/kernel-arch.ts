/**
 * What the rest of ramparse needs to know about the CPU architecture once the kernel is located:
 * page geometry, where the direct map and vmemmap live, and how to translate any kernel VA.
 */
import type { PhysicalMemory } from '../dump/physical-memory.js';
import { TranslationError } from '../util/errors.js';
import type { Translation } from './mmu.js';

export type ArchName = 'x86_64' | 'arm64';

/** How a layout value was learned, reported by --info. */
export type DetectionMethod = 'note' | 'scan' | 'search' | 'override' | 'default' | 'symbol';

export interface ArchParams {
  readonly pageShift: number;
  readonly vaBits: number;
  /** Start of the direct (linear) map. */
  readonly pageOffset: bigint;
  /** Virtual KASLR offset of the kernel image: runtime _text − link-time _text. */
  readonly kaslrOffset: bigint;
  /** Physical address of the kernel image's _text. */
  readonly imagePhys: bigint;
  /** arm64 PHYS_OFFSET (memstart_addr) / x86_64 0: the physical address at PAGE_OFFSET. */
  readonly physOffset: bigint;
}

export abstract class KernelArch {
  abstract readonly name: ArchName;
  readonly pageSize: number;
  private readonly tlb = new Map<bigint, bigint>();
  private readonly pageMask: bigint;
  private readonly pageShiftN: bigint;

  constructor(
    readonly params: ArchParams,
    protected readonly memory: PhysicalMemory,
  ) {
    this.pageSize = 1 << params.pageShift;
    this.pageShiftN = BigInt(params.pageShift);
    this.pageMask = BigInt(this.pageSize - 1);
  }

  get pageShift(): number {
    return this.params.pageShift;
  }

  get vaBits(): number {
    return this.params.vaBits;
  }

  /** Strip tags / pointer-auth bits and sign-extend, so equal kernel pointers compare equal. */
  abstract canonical(va: bigint): bigint;

  /** Full page-table walk, no cache. */
  abstract walk(va: bigint): Translation;

  /** True when va lies in the kernel half of the address space. */
  abstract isKernelAddress(va: bigint): boolean;

  /** Direct-map virtual address of a physical address. */
  abstract physToVirt(pa: bigint): bigint;

  /** Translate a kernel virtual address with a per-page cache. */
  translate(va: bigint): bigint {
    const c = this.canonical(va);
    const vpn = c >> this.pageShiftN;
    let ppn = this.tlb.get(vpn);
    if (ppn === undefined) {
      if (!this.isKernelAddress(c)) throw new TranslationError(va, 'not a kernel address');
      const t = this.walk(c);
      ppn = t.pa >> this.pageShiftN;
      if (this.tlb.size > 1 << 20) this.tlb.clear();
      this.tlb.set(vpn, ppn);
    }
    return (ppn << this.pageShiftN) | (c & this.pageMask);
  }

  readU64Phys(pa: bigint): bigint {
    return this.memory.read(pa, 8).readBigUInt64LE(0);
  }
}
