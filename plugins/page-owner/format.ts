/**
 * The text of /sys/kernel/debug/page_owner (mm/page_owner.c print_page_owner()), generation chosen by
 * the fields struct page_owner has, with the kernel version only as a tie-breaker where the struct
 * did not change (the free_ts drop in 6.7, the hex PFN in 6.5).
 */
import type { Kernel } from '../../core/kernel/kernel.js';
import { formatFlags, PageFlagsFormatter, readFlagNames, readStringArray, type FlagName } from '../../core/mm/flags.js';
import { MemcgNames } from '../../core/mm/memcg.js';
import type { PageOwnerFields, PageOwnerRecord, PageOwnerWalker } from '../../core/mm/page-owner.js';
import { Pageblocks } from '../../core/mm/pageblock.js';
import type { StackDepot } from '../../core/mm/stackdepot.js';
import type { Symbolizer } from '../../core/symbols/symbolizer.js';
import { pfnLineAllocatorBits, removeTsDigits } from './sort.js';

export type HeaderStyle = 'v5.10' | 'v5.11' | 'v5.13' | 'v5.18' | 'v6.7';
export type PfnStyle = 'dec-hexflags' | 'dec' | 'hex';

/** GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE, GFP_MOVABLE_SHIFT = 3 (include/linux/gfp.h). */
function gfpMovableMask(kernel: Kernel): { mask: number; shift: number } {
  const movBit = kernel.enumValue('___GFP_MOVABLE_BIT');
  const recBit = kernel.enumValue('___GFP_RECLAIMABLE_BIT');
  if (movBit !== undefined && recBit !== undefined) {
    const mask = (1 << Number(movBit)) | (1 << Number(recBit));
    return { mask, shift: Math.min(Number(movBit), Number(recBit)) };
  }
  return { mask: 0x18, shift: 3 }; // ___GFP_MOVABLE 0x08 | ___GFP_RECLAIMABLE 0x10, unchanged since 4.x
}

/**
 * Which header print_page_owner() has, from the struct page_owner members that exist.
 * 6.7 stopped printing free_ts without changing the struct: only there does the version decide;
 * free_pid/free_tgid (added after) prove a newer kernel by themselves.
 */
export function headerStyleFor(f: PageOwnerFields, atLeast67: boolean): HeaderStyle {
  if (!f.pid) return 'v5.10';
  if (!f.freeTsNsec) return 'v5.11';
  if (!f.tgid) return 'v5.13';
  if (f.freePid || atLeast67) return 'v6.7';
  return 'v5.18';
}

/** The PFN line: hex pfn since 6.5 (no type change to detect it by); %pGp prints the value itself when pff[] exists (5.14+). */
export function pfnStyleFor(atLeast65: boolean, pGpPrintsFields: boolean): PfnStyle {
  if (atLeast65) return 'hex';
  return pGpPrintsFields ? 'dec' : 'dec-hexflags';
}

export class PageOwnerFormatter {
  readonly headerStyle: HeaderStyle;
  readonly pfnStyle: PfnStyle;
  private readonly gfpNames: readonly FlagName[];
  private readonly pageFlags: PageFlagsFormatter;
  private readonly migratetypeNames: readonly string[];
  private readonly migrateReasonNames: readonly string[];
  private readonly movable: { mask: number; shift: number };
  private readonly mobilityDisabled: boolean;
  private readonly pageblocks: Pageblocks;
  private readonly memcg: MemcgNames | undefined;

  private readonly gfpCache = new Map<number, string>();
  private readonly stackCache = new Map<number, string>();
  private readonly flagsCache = new Map<bigint, string>();
  private readonly blockCache = new Map<number, number>();
  private readonly allocatorCache = new Map<number, number>();
  private readonly memcgCache = new Map<bigint, string>();
  private readonly pageblockPages: number;

  constructor(
    readonly kernel: Kernel,
    readonly walker: PageOwnerWalker,
    readonly depot: StackDepot,
    readonly symbols: Symbolizer,
  ) {
    this.headerStyle = headerStyleFor(walker.fields, kernel.versionAtLeast(6, 7));
    this.pageFlags = new PageFlagsFormatter(kernel);
    this.pfnStyle = pfnStyleFor(kernel.versionAtLeast(6, 5), this.pageFlags.printsFields);
    this.gfpNames = readFlagNames(kernel, 'gfpflag_names');
    this.migratetypeNames = readStringArray(kernel, 'migratetype_names');
    this.migrateReasonNames = kernel.hasSymbol('migrate_reason_names') ? readStringArray(kernel, 'migrate_reason_names') : [];
    this.movable = gfpMovableMask(kernel);
    this.mobilityDisabled = kernel.hasSymbol('page_group_by_mobility_disabled') ? kernel.readU32(kernel.symbol('page_group_by_mobility_disabled')) !== 0 : false;
    this.pageblocks = new Pageblocks(kernel, walker.model);
    // print_page_owner_memcg() arrived in 5.19 (struct page had memcg_data since 5.11 without it).
    this.memcg = walker.page.memcgData !== undefined && kernel.versionAtLeast(5, 19) ? new MemcgNames(kernel) : undefined;
    this.pageblockPages = 2 ** walker.model.pageblockOrder;
  }

  gfpText(mask: number): string {
    let s = this.gfpCache.get(mask);
    if (s === undefined) {
      s = formatFlags(BigInt(mask), this.gfpNames);
      this.gfpCache.set(mask, s);
    }
    return s;
  }

  migratetypeName(mt: number): string {
    return this.migratetypeNames[mt] ?? `(migratetype ${mt})`;
  }

  /** gfp_migratetype(). */
  gfpMigratetype(gfp: number): number {
    if (this.mobilityDisabled) return 0;
    return (gfp & this.movable.mask) >>> this.movable.shift;
  }

  pageblockMigratetype(pfn: number): number {
    const block = this.pageblockNr(pfn);
    let mt = this.blockCache.get(block);
    if (mt === undefined) {
      mt = this.pageblocks.migratetype(pfn);
      this.blockCache.set(block, mt);
    }
    return mt;
  }

  pageblockNr(pfn: number): number {
    return Math.floor(pfn / this.pageblockPages);
  }

  header(r: PageOwnerRecord, ts = String(r.tsNsec)): string {
    return this.headerWith(r, ts);
  }

  /**
   * The header as page_owner_sort keys it: the digits of the first "ts <n> ns" removed. That is the
   * ts field unless the text before it (only the comm can) already matches the pattern.
   */
  headerWithoutTs(r: PageOwnerRecord): string {
    const h = this.headerWith(r, '');
    if (this.headerStyle === 'v5.10' || !r.comm.includes('ts')) return h;
    return removeTsDigits(this.header(r));
  }

  /**
   * A short string equal for two records exactly when their headerWithoutTs() texts are equal
   * (the header is a function of these fields within one run).
   */
  headerSortKey(r: PageOwnerRecord): string {
    if (this.headerStyle !== 'v5.10' && r.comm.includes('ts')) return 'H' + this.headerWithoutTs(r);
    return `${r.order},${r.gfpMask},${r.pid},${r.tgid},${r.freeTsNsec},${r.comm}`;
  }

  private headerWith(r: PageOwnerRecord, ts: string): string {
    const base = `Page allocated via order ${r.order}, mask 0x${r.gfpMask.toString(16)}(${this.gfpText(r.gfpMask)})`;
    switch (this.headerStyle) {
      case 'v5.10':
        return base + '\n';
      case 'v5.11':
        return `${base}, pid ${r.pid}, ts ${ts} ns\n`;
      case 'v5.13':
        return `${base}, pid ${r.pid}, ts ${ts} ns, free_ts ${r.freeTsNsec} ns\n`;
      case 'v5.18':
        return `${base}, pid ${r.pid}, tgid ${r.tgid} (${r.comm}), ts ${ts} ns, free_ts ${r.freeTsNsec} ns\n`;
      case 'v6.7':
        return `${base}, pid ${r.pid}, tgid ${r.tgid} (${r.comm}), ts ${ts} ns\n`;
    }
  }

  /** page_owner_sort's get_allocator() bits that come from the PFN line ("CMA", "slab"). */
  pfnLineAllocator(r: PageOwnerRecord): number {
    // Only the migratetype names and the flags text can contain "CMA" or "slab" on that line.
    return pfnLineAllocatorBits(this.flagsText(r.pageFlags)) | this.mtBits(this.gfpMigratetype(r.gfpMask)) | this.mtBits(this.pageblockMigratetype(r.pfn));
  }

  private mtBits(mt: number): number {
    let a = this.allocatorCache.get(mt);
    if (a === undefined) {
      a = pfnLineAllocatorBits(this.migratetypeName(mt));
      this.allocatorCache.set(mt, a);
    }
    return a;
  }

  private flagsText(flags: bigint): string {
    let s = this.flagsCache.get(flags);
    if (s === undefined) {
      s = this.pfnStyle === 'dec-hexflags' ? `0x${flags.toString(16)}(${this.pageFlags.format(flags)})` : this.pageFlags.format(flags);
      this.flagsCache.set(flags, s);
    }
    return s;
  }

  pfnLine(r: PageOwnerRecord): string {
    const type = this.migratetypeName(this.gfpMigratetype(r.gfpMask));
    const block = this.pageblockNr(r.pfn);
    const btype = this.migratetypeName(this.pageblockMigratetype(r.pfn));
    const flags = this.flagsText(r.pageFlags);
    const pfn = this.pfnStyle === 'hex' ? `0x${r.pfn.toString(16)}` : String(r.pfn);
    return `PFN ${pfn} type ${type} Block ${block} type ${btype} Flags ${flags}\n`;
  }

  /** stack_depot_snprint(handle, …, spaces = 0): one " %pS\n" per frame. */
  stackText(handle: number): string | undefined {
    let s = this.stackCache.get(handle);
    if (s === undefined) {
      const frames = this.depot.fetch(handle);
      s = frames ? frames.map((a) => ` ${this.symbols.format(a)}\n`).join('') : '';
      this.stackCache.set(handle, s);
    }
    return s || undefined;
  }

  /** Frames as symbol strings (for summaries and JSON). */
  frames(handle: number): string[] {
    return (this.depot.fetch(handle) ?? []).map((a) => this.symbols.format(a));
  }

  migrateLine(r: PageOwnerRecord): string {
    if (r.lastMigrateReason === -1) return '';
    const name = this.migrateReasonNames[r.lastMigrateReason] ?? '(null)';
    return `Page has been migrated, last migrate reason: ${name}\n`;
  }

  /** Distinct memcg_data values the kernel's own 6.10+ code path would have faulted on. */
  get memcgUnreachable(): number {
    return this.memcg?.unreachableViaObjcg ?? 0;
  }

  memcgLines(r: PageOwnerRecord): string {
    if (!this.memcg || r.memcgData === 0n) return '';
    let s = this.memcgCache.get(r.memcgData);
    if (s === undefined) {
      s = this.memcg.pageOwnerLines(r.memcgData);
      this.memcgCache.set(r.memcgData, s);
    }
    return s;
  }

  /** A record's lines, each computed once (the text and page_owner_sort both use them). */
  parts(r: PageOwnerRecord, ts = String(r.tsNsec)): RecordParts {
    return {
      header: this.header(r, ts),
      pfnLine: this.pfnLine(r),
      stack: this.stackText(r.handle) ?? '',
      rest: this.migrateLine(r) + this.memcgLines(r),
    };
  }
}

export interface RecordParts {
  readonly header: string;
  readonly pfnLine: string;
  readonly stack: string;
  /** Migrate-reason and memcg lines. */
  readonly rest: string;
}

/** print_page_owner() formats into one PAGE_SIZE buffer and fails the read when it does not fit. */
export function recordText(p: RecordParts, pageSize: number): string | undefined {
  const text = p.header + p.pfnLine + p.stack + p.rest + '\n';
  return text.length >= pageSize ? undefined : text;
}
