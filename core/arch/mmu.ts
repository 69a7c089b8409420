/**
 * Page-table walkers for kernel virtual addresses. Pure functions over a physical-read callback, so
 * unit tests can feed hand-built tables and the real code reads from the dump.
 */
import { TranslationError } from '../util/errors.js';

export type ReadPhysU64 = (pa: bigint) => bigint;

export interface Translation {
  readonly pa: bigint;
  /** Size of the mapping that contains the address (4K page, 2M block, 1G block…). */
  readonly mappingSize: bigint;
}

export interface Arm64WalkConfig {
  /** 12 (4K), 14 (16K) or 16 (64K). */
  readonly pageShift: number;
  /** Virtual address bits of the TTBR1 region: 36, 39, 42, 47, 48, 52. */
  readonly vaBits: number;
  /** Physical address of the top-level table (swapper_pg_dir). */
  readonly pgdPhys: bigint;
  /** 52 when the 64K-granule 52-bit PA format (PA[51:48] in desc[15:12]) is in use. */
  readonly paBits?: number;
}

/**
 * ARMv8 stage-1 walk of a TTBR1 address (D8.3 of the Arm ARM: each level resolves pageShift-3 bits;
 * the top level resolves what is left). Descriptors: bits[1:0] = 0b11 table/page, 0b01 block.
 */
export function arm64Walk(cfg: Arm64WalkConfig, read: ReadPhysU64, va: bigint): Translation {
  const { pageShift, vaBits } = cfg;
  const bitsPerLevel = pageShift - 3;
  const levels = Math.ceil((vaBits - pageShift) / bitsPerLevel);
  const oaMask = ((1n << 48n) - 1n) & ~((1n << BigInt(pageShift)) - 1n);
  let table = cfg.pgdPhys;
  for (let lvl = 0; lvl < levels; lvl++) {
    const shift = pageShift + bitsPerLevel * (levels - 1 - lvl);
    const indexBits = lvl === 0 ? vaBits - shift : bitsPerLevel;
    const index = (va >> BigInt(shift)) & ((1n << BigInt(indexBits)) - 1n);
    const entryPa = table + index * 8n;
    const desc = read(entryPa);
    const type = desc & 3n;
    let oa = desc & oaMask;
    if (cfg.paBits === 52 && pageShift === 16) oa |= ((desc >> 12n) & 0xfn) << 48n;
    const last = lvl === levels - 1;
    if (last) {
      if (type !== 3n) throw new TranslationError(va, `level ${lvl} page entry 0x${desc.toString(16)} at pa 0x${entryPa.toString(16)} is not valid`);
      return { pa: oa | (va & ((1n << BigInt(pageShift)) - 1n)), mappingSize: 1n << BigInt(pageShift) };
    }
    if (type === 1n) {
      // Block mapping: the rest of the address is the offset inside the block.
      const blockMask = (1n << BigInt(shift)) - 1n;
      return { pa: (oa & ~blockMask) | (va & blockMask), mappingSize: 1n << BigInt(shift) };
    }
    if (type !== 3n) throw new TranslationError(va, `level ${lvl} entry 0x${desc.toString(16)} at pa 0x${entryPa.toString(16)} is not valid`);
    table = oa;
  }
  throw new TranslationError(va, 'walk ended without a page');
}

export interface X86WalkConfig {
  /** Physical address of the top-level table (CR3: init_top_pgt). */
  readonly topPhys: bigint;
  /** 4 or 5 paging levels. */
  readonly levels: 4 | 5;
  /** AMD SME encryption bit to strip from entries (0n when unused). */
  readonly encryptionMask?: bigint;
}

const X86_PRESENT = 1n;
const X86_PSE = 1n << 7n;
const X86_ADDR_MASK = 0x000ffffffffff000n;

/** x86_64 4/5-level walk (Intel SDM vol. 3 §4.5). PS at PDPT (1G) and PD (2M) levels. */
export function x86Walk(cfg: X86WalkConfig, read: ReadPhysU64, va: bigint): Translation {
  const enc = cfg.encryptionMask ?? 0n;
  let table = cfg.topPhys & X86_ADDR_MASK & ~enc;
  const shifts = cfg.levels === 5 ? [48n, 39n, 30n, 21n, 12n] : [39n, 30n, 21n, 12n];
  for (let i = 0; i < shifts.length; i++) {
    const shift = shifts[i]!;
    const index = (va >> shift) & 511n;
    const entryPa = table + index * 8n;
    const entry = read(entryPa);
    if ((entry & X86_PRESENT) === 0n) {
      throw new TranslationError(va, `level ${shifts.length - i} entry 0x${entry.toString(16)} at pa 0x${entryPa.toString(16)} is not present`);
    }
    const addr = entry & X86_ADDR_MASK & ~enc;
    const isLeafLevel = i === shifts.length - 1;
    if (isLeafLevel || ((shift === 30n || shift === 21n) && (entry & X86_PSE) !== 0n)) {
      const mask = (1n << shift) - 1n;
      return { pa: (addr & ~mask) | (va & mask), mappingSize: 1n << shift };
    }
    table = addr;
  }
  throw new TranslationError(va, 'walk ended without a page');
}
