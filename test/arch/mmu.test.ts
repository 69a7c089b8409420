/**
 * Page-table walkers on hand-built tables: every arm64 granule/VA-bits combination the kernel
 * supports, block mappings at each level that allows them, and x86_64 4- and 5-level paging with
 * 4K/2M/1G pages. Tables are written into a sparse fake physical memory exactly as the MMU reads them.
 */
import { describe, expect, it } from 'vitest';
import { arm64Walk, x86Walk } from '../../core/arch/mmu.js';
import { TranslationError } from '../../core/util/errors.js';

class FakePhys {
  private readonly words = new Map<bigint, bigint>();
  private next: bigint;
  constructor(
    private readonly tableSize: bigint,
    start = 0x40000000n,
  ) {
    this.next = start;
  }
  alloc(): bigint {
    const a = this.next;
    this.next += this.tableSize;
    return a;
  }
  write(pa: bigint, v: bigint): void {
    this.words.set(pa, v);
  }
  read = (pa: bigint): bigint => {
    if (pa % 8n !== 0n) throw new Error('unaligned descriptor read');
    return this.words.get(pa) ?? 0n;
  };
}

/** Build arm64 tables mapping va → pa with a page (or a block at `blockLevel`). */
function arm64Map(mem: FakePhys, cfg: { pageShift: number; vaBits: number }, pgd: bigint, va: bigint, pa: bigint, blockLevel?: number): void {
  const bpl = cfg.pageShift - 3;
  const levels = Math.ceil((cfg.vaBits - cfg.pageShift) / bpl);
  let table = pgd;
  for (let lvl = 0; lvl < levels; lvl++) {
    const shift = cfg.pageShift + bpl * (levels - 1 - lvl);
    const bits = lvl === 0 ? cfg.vaBits - shift : bpl;
    const idx = (va >> BigInt(shift)) & ((1n << BigInt(bits)) - 1n);
    const entry = table + idx * 8n;
    if (lvl === levels - 1) {
      mem.write(entry, (pa & ~((1n << BigInt(cfg.pageShift)) - 1n)) | 0x703n);
      return;
    }
    if (blockLevel === lvl) {
      mem.write(entry, (pa & ~((1n << BigInt(shift)) - 1n)) | 0x701n);
      return;
    }
    let next = mem.read(entry) & 0x0000fffffffff000n;
    if (!next) {
      next = mem.alloc();
      mem.write(entry, next | 3n);
    }
    table = next & ~((1n << BigInt(cfg.pageShift)) - 1n);
  }
}

const ARM64_CONFIGS: Array<{ name: string; pageShift: number; vaBits: number; levels: number }> = [
  { name: '4K/39 (Android)', pageShift: 12, vaBits: 39, levels: 3 },
  { name: '4K/48', pageShift: 12, vaBits: 48, levels: 4 },
  { name: '16K/36', pageShift: 14, vaBits: 36, levels: 2 },
  { name: '16K/47', pageShift: 14, vaBits: 47, levels: 3 },
  { name: '16K/48', pageShift: 14, vaBits: 48, levels: 4 },
  { name: '64K/42', pageShift: 16, vaBits: 42, levels: 2 },
  { name: '64K/48', pageShift: 16, vaBits: 48, levels: 3 },
];

describe('arm64 TTBR1 walk', () => {
  for (const c of ARM64_CONFIGS) {
    describe(c.name, () => {
      const pageSize = 1n << BigInt(c.pageShift);
      const kernelVa = (off: bigint) => ((1n << 64n) - (1n << BigInt(c.vaBits))) + off;

      it(`resolves a page through ${c.levels} levels`, () => {
        const mem = new FakePhys(pageSize);
        const pgd = mem.alloc();
        const va = kernelVa(0x12345n * pageSize + 0x10n);
        const pa = 0x8_0000_0000n + 77n * pageSize;
        arm64Map(mem, c, pgd, va, pa);
        const t = arm64Walk({ pageShift: c.pageShift, vaBits: c.vaBits, pgdPhys: pgd }, mem.read, va);
        expect(t.pa).toBe(pa + 0x10n);
        expect(t.mappingSize).toBe(pageSize);
      });

      it('keeps two neighbouring pages apart', () => {
        const mem = new FakePhys(pageSize);
        const pgd = mem.alloc();
        const va = kernelVa(0x40n * pageSize);
        arm64Map(mem, c, pgd, va, 0x9000_0000n);
        arm64Map(mem, c, pgd, va + pageSize, 0x7000_0000n);
        const cfg = { pageShift: c.pageShift, vaBits: c.vaBits, pgdPhys: pgd };
        expect(arm64Walk(cfg, mem.read, va + 5n).pa).toBe(0x9000_0005n);
        expect(arm64Walk(cfg, mem.read, va + pageSize + 5n).pa).toBe(0x7000_0005n);
      });

      it('resolves a block mapping at the last level that allows blocks', () => {
        const mem = new FakePhys(pageSize);
        const pgd = mem.alloc();
        const blockLevel = c.levels - 2; // the level just above pages (2M for 4K, 32M for 16K, 512M for 64K)
        const bpl = c.pageShift - 3;
        const blockSize = 1n << BigInt(c.pageShift + bpl);
        const va = kernelVa(3n * blockSize + 0x1234n);
        arm64Map(mem, c, pgd, va, 0x4000_0000n * 4n, blockLevel);
        const t = arm64Walk({ pageShift: c.pageShift, vaBits: c.vaBits, pgdPhys: pgd }, mem.read, va);
        expect(t.mappingSize).toBe(blockSize);
        expect(t.pa).toBe(0x1_0000_0000n + 0x1234n);
      });

      it('reports an invalid entry instead of returning zeros', () => {
        const mem = new FakePhys(pageSize);
        const pgd = mem.alloc();
        expect(() => arm64Walk({ pageShift: c.pageShift, vaBits: c.vaBits, pgdPhys: pgd }, mem.read, kernelVa(pageSize))).toThrow(TranslationError);
      });
    });
  }

  it('4K/48 resolves a 1G block at level 1', () => {
    const c = { pageShift: 12, vaBits: 48 };
    const mem = new FakePhys(4096n);
    const pgd = mem.alloc();
    const va = 0xffff800040000000n + 0xabcdefn;
    arm64Map(mem, c, pgd, va, 0x80000000n, 1);
    const t = arm64Walk({ ...c, pgdPhys: pgd }, mem.read, va);
    expect(t.mappingSize).toBe(1n << 30n);
    expect(t.pa).toBe(0x80000000n + 0xabcdefn);
  });

  it('64K/52 takes PA[51:48] from descriptor bits [15:12]', () => {
    const c = { pageShift: 16, vaBits: 48 };
    const mem = new FakePhys(65536n);
    const pgd = mem.alloc();
    const va = 0xffff000000000000n + 0x50000n;
    // Map to a 52-bit physical page: PA[51:48] = 0x3 goes into bits 15:12.
    arm64Map(mem, c, pgd, va, 0x1230000n);
    const t0 = arm64Walk({ ...c, pgdPhys: pgd }, mem.read, va);
    expect(t0.pa).toBe(0x1230000n);
    // The leaf descriptor additionally carries PA[51:48] = 0x3 in bits 15:12.
    const readHigh = (pa: bigint) => {
      const v = mem.read(pa);
      return (v & 3n) === 3n && (v & 0x0000ffffffff0000n) === 0x1230000n ? v | (0x3n << 12n) : v;
    };
    const t = arm64Walk({ ...c, pgdPhys: pgd, paBits: 52 }, readHigh, va + 4n);
    expect(t.pa).toBe((0x3n << 48n) | 0x1230004n);
  });
});

/** x86_64: build a 4/5-level mapping. */
function x86Map(mem: FakePhys, levels: 4 | 5, top: bigint, va: bigint, pa: bigint, pageShift: 12n | 21n | 30n): void {
  const shifts = levels === 5 ? [48n, 39n, 30n, 21n, 12n] : [39n, 30n, 21n, 12n];
  let table = top;
  for (const shift of shifts) {
    const entry = table + ((va >> shift) & 511n) * 8n;
    if (shift === pageShift) {
      const large = shift !== 12n ? 1n << 7n : 0n;
      mem.write(entry, (pa & ~((1n << shift) - 1n)) | large | 0x63n | (1n << 63n));
      return;
    }
    let next = mem.read(entry) & 0x000ffffffffff000n;
    if (!next) {
      next = mem.alloc();
      mem.write(entry, next | 0x63n);
    }
    table = next;
  }
}

describe('x86_64 walk', () => {
  for (const levels of [4, 5] as const) {
    for (const [name, shift] of [
      ['4K page', 12n],
      ['2M page', 21n],
      ['1G page', 30n],
    ] as const) {
      it(`${levels}-level, ${name}`, () => {
        const mem = new FakePhys(4096n, 0x100000n);
        const top = mem.alloc();
        const va = levels === 5 ? 0xff11_0000_1234_5678n : 0xffff_8880_1234_5678n;
        const pa = 0x1_4000_0000n;
        x86Map(mem, levels, top, va, pa, shift);
        const t = x86Walk({ topPhys: top, levels }, mem.read, va);
        const mask = (1n << shift) - 1n;
        expect(t.pa).toBe((pa & ~mask) | (va & mask));
        expect(t.mappingSize).toBe(1n << shift);
      });
    }
  }

  it('strips the NX bit and the PAT bit of large pages from the address', () => {
    const mem = new FakePhys(4096n, 0x100000n);
    const top = mem.alloc();
    const va = 0xffffffff81000000n + 0x1234n;
    x86Map(mem, 4, top, va, 0x2000000n, 21n);
    // set PAT (bit 12) on the 2M entry
    const pat = (pa: bigint) => {
      const v = mem.read(pa);
      return (v & (1n << 7n)) !== 0n ? v | (1n << 12n) : v;
    };
    expect(x86Walk({ topPhys: top, levels: 4 }, pat, va).pa).toBe(0x2001234n);
  });

  it('reports a non-present entry', () => {
    const mem = new FakePhys(4096n, 0x100000n);
    const top = mem.alloc();
    expect(() => x86Walk({ topPhys: top, levels: 4 }, mem.read, 0xffff888000001000n)).toThrow(/not present/);
  });
});
