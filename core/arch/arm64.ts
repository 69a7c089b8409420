/**
 * arm64 (arch/arm64/include/asm/memory.h, since the 5.4 "flipped" VA layout).
 * Kernel image: pa = va − kimage_voffset. Linear map: pa = (va − PAGE_OFFSET) + PHYS_OFFSET, where
 * PHYS_OFFSET is memstart_addr (not necessarily the first RAM address when the linear map is
 * randomised). Pointers may carry a KASAN tag or PAC bits above VA_BITS: bit 55 selects the half.
 */
import type { PhysicalMemory } from '../dump/physical-memory.js';
import { KernelArch, type ArchParams } from './kernel-arch.js';
import { arm64Walk, type Translation } from './mmu.js';

export interface Arm64Params extends ArchParams {
  readonly kimageVoffset: bigint;
  /** Physical address of swapper_pg_dir. */
  readonly pgdPhys: bigint;
}

export class Arm64Arch extends KernelArch {
  readonly name = 'arm64' as const;

  constructor(
    readonly arm: Arm64Params,
    memory: PhysicalMemory,
  ) {
    super(arm, memory);
  }

  canonical(va: bigint): bigint {
    const v = BigInt.asUintN(64, va);
    const bits = BigInt(this.params.vaBits);
    // TTBR1 addresses have bit 55 set; everything above VA_BITS is a tag, PAC or sign extension.
    if ((v >> 55n) & 1n) return v | (((1n << 64n) - 1n) ^ ((1n << bits) - 1n));
    return v & ((1n << bits) - 1n);
  }

  isKernelAddress(va: bigint): boolean {
    return ((va >> 55n) & 1n) === 1n;
  }

  walk(va: bigint): Translation {
    return arm64Walk({ pageShift: this.params.pageShift, vaBits: this.params.vaBits, pgdPhys: this.arm.pgdPhys }, (pa) => this.readU64Phys(pa), va);
  }

  physToVirt(pa: bigint): bigint {
    return pa - this.params.physOffset + this.params.pageOffset;
  }
}
