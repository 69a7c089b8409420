/**
 * The physical memory model (include/linux/mmzone.h): pfn → struct page, sections, pfn_valid(),
 * per-section page_ext and pageblock bitmaps. SPARSEMEM (with or without EXTREME/VMEMMAP) and FLATMEM.
 */
import type { Kernel } from '../kernel/kernel.js';
import { RamparseError } from '../util/errors.js';

export interface SectionInfo {
  readonly nr: number;
  /** Encoded section_mem_map with flag bits removed: struct page address of pfn 0 in this section's encoding. */
  readonly memMapBase: bigint;
  readonly present: boolean;
  readonly hasMemMap: boolean;
  readonly early: boolean;
  readonly usage: bigint;
  /** section->page_ext as stored: base − pfn·page_ext_size, low bit = invalid. */
  readonly pageExt: bigint;
}

export class MemoryModel {
  readonly pageSize: number;
  readonly pageShift: number;
  readonly pageStructSize: number;
  readonly sparse: boolean;
  readonly sectionSizeBits: number;
  /** PFN_SECTION_SHIFT. */
  readonly pfnSectionShift: number;
  readonly pagesPerSection: number;
  readonly minLowPfn: number;
  readonly maxPfn: number;
  /** NR_PAGE_ORDERS (MAX_ORDER before 6.4): buddy orders are 0..maxOrder-1. */
  readonly nrPageOrders: number;
  readonly pageblockOrder: number;
  private readonly sectionMapMask: bigint;
  private readonly sectionsPerRoot: number;
  private readonly extreme: boolean;
  private readonly sectionSize: number;
  private readonly sections = new Map<number, SectionInfo | null>();
  private rootCache = new Map<number, bigint>();
  private readonly flatMemMap: bigint;
  private readonly flatStartPfn: number;

  constructor(readonly kernel: Kernel) {
    this.pageSize = kernel.pageSize;
    this.pageShift = kernel.pageShift;
    this.pageStructSize = kernel.sizeof('struct page');
    this.minLowPfn = Number(kernel.hasSymbol('min_low_pfn') ? kernel.readU64(kernel.symbol('min_low_pfn')) : 0n);
    this.maxPfn = Number(kernel.readU64(kernel.symbol('max_pfn')));
    this.nrPageOrders = freeAreaOrders(kernel);
    this.sparse = kernel.hasSymbol('mem_section');
    const info = kernel.vmcoreinfo;
    this.sectionSizeBits = Number(info?.number('SECTION_SIZE_BITS') ?? BigInt(defaultSectionSizeBits(kernel)));
    this.pfnSectionShift = this.sectionSizeBits - this.pageShift;
    this.pagesPerSection = 2 ** this.pfnSectionShift;
    if (this.sparse) {
      this.sectionSize = kernel.sizeof('struct mem_section');
      const lastBit = kernel.enumValue('SECTION_MAP_LAST_BIT');
      this.sectionMapMask = ~((1n << (lastBit ?? 4n)) - 1n) & 0xffffffffffffffffn;
      // SPARSEMEM_EXTREME makes mem_section a pointer to an array of root pointers.
      const sym = kernel.vmlinux.symbols.get('mem_section');
      const extremeByConfig = kernel.configValue('SPARSEMEM_EXTREME');
      this.extreme = extremeByConfig !== undefined ? extremeByConfig === 'y' : (sym?.size ?? 8) === 8;
      this.sectionsPerRoot = this.extreme ? Math.floor(this.pageSize / this.sectionSize) : 1;
      this.flatMemMap = 0n;
      this.flatStartPfn = 0;
    } else {
      this.sectionSize = 0;
      this.sectionMapMask = 0n;
      this.extreme = false;
      this.sectionsPerRoot = 1;
      const pgdat = kernel.object('struct pglist_data', kernel.symbol('contig_page_data'));
      this.flatMemMap = kernel.hasSymbol('mem_map') ? kernel.readPointer(kernel.symbol('mem_map')) : pgdat.ptr('node_mem_map');
      this.flatStartPfn = pgdat.num('node_start_pfn');
    }
    this.pageblockOrder = pageblockOrder(kernel, this.nrPageOrders);
  }

  get maxOrderNrPages(): number {
    return 2 ** (this.nrPageOrders - 1);
  }

  sectionNr(pfn: number): number {
    return Math.floor(pfn / this.pagesPerSection);
  }

  /** The mem_section entry of a section number (cached). */
  section(nr: number): SectionInfo | undefined {
    if (!this.sparse) return undefined;
    const hit = this.sections.get(nr);
    if (hit !== undefined) return hit ?? undefined;
    let info: SectionInfo | undefined;
    try {
      info = this.readSection(nr);
    } catch (e) {
      if (!(e instanceof RamparseError)) throw e;
      // A truncated dump can lack the memblock-allocated mem_section tables (they sit at the top of RAM).
      this.kernel.warn(`mem_section entry of section ${nr} (pfn 0x${(nr * this.pagesPerSection).toString(16)}...) unreadable (${e.message}); its pages are skipped`);
    }
    this.sections.set(nr, info ?? null);
    return info;
  }

  private readSection(nr: number): SectionInfo | undefined {
    const k = this.kernel;
    const rootNr = Math.floor(nr / this.sectionsPerRoot);
    let addr: bigint;
    if (this.extreme) {
      let root = this.rootCache.get(rootNr);
      if (root === undefined) {
        const array = k.readPointer(k.symbol('mem_section'));
        if (array === 0n) return undefined;
        root = k.readPointer(array + BigInt(rootNr * 8));
        this.rootCache.set(rootNr, root);
      }
      if (root === 0n) return undefined;
      addr = root + BigInt((nr % this.sectionsPerRoot) * this.sectionSize);
    } else {
      addr = k.symbol('mem_section') + BigInt(nr * this.sectionSize);
    }
    const ms = k.object('struct mem_section', addr);
    const map = ms.value('section_mem_map');
    return {
      nr,
      memMapBase: k.arch.canonical(map & this.sectionMapMask),
      present: bit(map, k.enumValue('SECTION_MARKED_PRESENT_BIT') ?? 0n),
      hasMemMap: bit(map, k.enumValue('SECTION_HAS_MEM_MAP_BIT') ?? 1n),
      early: bit(map, k.enumValue('SECTION_IS_EARLY_BIT') ?? 3n),
      usage: ms.ptr('usage'),
      pageExt: ms.has('page_ext') ? ms.value('page_ext') : 0n,
    };
  }

  /**
   * pfn_valid() for SPARSEMEM: a section with a mem_map, and for non-early (hotplugged) sections
   * the pfn's subsection bit in usage->subsection_map.
   */
  pfnValid(pfn: number): boolean {
    if (!this.sparse) return pfn >= this.flatStartPfn && pfn < this.maxPfn;
    const s = this.section(this.sectionNr(pfn));
    if (!s || !s.hasMemMap) return false;
    if (s.early || s.usage === 0n || !this.kernel.hasMember('struct mem_section_usage', 'subsection_map')) return true;
    const subShift = 21 - this.pageShift; // SUBSECTION_SHIFT is 21 (2 MiB) on every arch
    const perSection = 2 ** Math.max(0, this.sectionSizeBits - 21);
    const bit = Math.floor(pfn / 2 ** subShift) % perSection;
    const word = this.kernel.readU64(s.usage + BigInt(this.kernel.offsetof('struct mem_section_usage', 'subsection_map') + Math.floor(bit / 64) * 8));
    return ((word >> BigInt(bit % 64)) & 1n) === 1n;
  }

  private lastMemMap: { nr: number; base: bigint } | undefined;

  /** Virtual address of struct page for a pfn. */
  pageAddress(pfn: number): bigint {
    if (!this.sparse) return this.flatMemMap + BigInt((pfn - this.flatStartPfn) * this.pageStructSize);
    const nr = this.sectionNr(pfn);
    // consecutive lookups stay in one section: one bigint add instead of a multiply and a lookup
    if (this.lastMemMap?.nr === nr) return (this.lastMemMap.base + BigInt(pfn * this.pageStructSize)) & 0xffffffffffffffffn;
    const s = this.section(nr);
    if (!s || !s.hasMemMap) throw new RamparseError(`pfn 0x${pfn.toString(16)} has no struct page (section ${nr} not present)`);
    this.lastMemMap = { nr, base: s.memMapBase };
    return (s.memMapBase + BigInt(pfn * this.pageStructSize)) & 0xffffffffffffffffn;
  }

  /** Read struct pages for [pfn, pfn+count) in one go (count must stay inside one section). */
  readPages(pfn: number, count: number): Buffer {
    return this.kernel.read(this.pageAddress(pfn), count * this.pageStructSize);
  }

  /** pfn → pageblock bitmap word address and bit index (get_pfnblock_flags_mask()). */
  pageblockBitmap(pfn: number, nrPageblockBits: number): { bitmap: bigint; bitIndex: number } | undefined {
    if (this.sparse) {
      const s = this.section(this.sectionNr(pfn));
      if (!s || s.usage === 0n) return undefined;
      const bitmap = s.usage + BigInt(this.kernel.offsetof('struct mem_section_usage', 'pageblock_flags'));
      const idx = Math.floor((pfn % this.pagesPerSection) / 2 ** this.pageblockOrder) * nrPageblockBits;
      return { bitmap, bitIndex: idx };
    }
    return undefined;
  }
}

function bit(v: bigint, n: bigint): boolean {
  return ((v >> n) & 1n) === 1n;
}

/** Buddy orders: the length of zone->free_area[] is NR_PAGE_ORDERS (MAX_ORDER before 6.4). */
function freeAreaOrders(kernel: Kernel): number {
  const m = kernel.types.findMember('struct zone', 'free_area');
  if (m) {
    const t = kernel.types.complete(m.type);
    if (t.kind === 'array' && t.length > 0) return t.length;
  }
  return 11;
}

function defaultSectionSizeBits(kernel: Kernel): number {
  if (kernel.arch.name === 'x86_64') return 27;
  if (kernel.pageShift === 16) return 29;
  // arm64 lowered SECTION_SIZE_BITS from 30 to 27 in 5.12.
  return kernel.versionAtLeast(5, 12) ? 27 : 30;
}

/**
 * pageblock_order: the variable when CONFIG_HUGETLB_PAGE_SIZE_VARIABLE; otherwise
 * min(HUGETLB_PAGE_ORDER, MAX_PAGE_ORDER) with hugetlb, or MAX_PAGE_ORDER without
 * (include/linux/pageblock-flags.h). HUGETLB_PAGE_ORDER is the PMD order on x86_64 and arm64.
 */
function pageblockOrder(kernel: Kernel, nrPageOrders: number): number {
  const maxPageOrder = nrPageOrders - 1;
  if (kernel.hasSymbol('pageblock_order')) {
    const v = kernel.readU32(kernel.symbol('pageblock_order'));
    if (v > 0 && v < 32) return v;
  }
  const cfg = kernel.configValue('HUGETLB_PAGE');
  const hugetlb = cfg !== undefined ? cfg === 'y' : kernel.hasSymbol('hstates');
  if (!hugetlb) return maxPageOrder;
  const pmdOrder = kernel.arch.name === 'x86_64' ? 9 : kernel.pageShift - 3;
  return Math.min(pmdOrder, maxPageOrder);
}
