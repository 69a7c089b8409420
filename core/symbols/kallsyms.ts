/**
 * The kernel's own symbol table, decoded from the compressed kallsyms tables in the dump
 * (kernel/kallsyms.c, scripts/kallsyms.c). This is the exact symbol set %pS uses: the vmlinux .symtab
 * also holds symbols kallsyms drops (arm64 mapping symbols $x/$d, local labels, __crc_*), and sizes
 * are distances to the next kallsyms symbol, not ELF st_size.
 */
import type { Kernel } from '../kernel/kernel.js';

export interface KallsymsEntry {
  readonly address: bigint;
  readonly name: string;
  /** nm-style type letter (t, T, d, …). */
  readonly type: string;
}

export interface SymbolPosition {
  readonly name: string;
  readonly start: bigint;
  readonly size: bigint;
  readonly offset: bigint;
}

/** Table entries sorted by address, with the kernel's alias and end-of-section rules. */
export class KallsymsTable {
  private readonly addresses: bigint[];
  private readonly names: string[];

  constructor(
    entries: readonly KallsymsEntry[],
    /** _stext, _etext, _sinittext, _einittext, _end (runtime addresses). */
    private readonly bounds: { stext: bigint; etext: bigint; sinittext: bigint; einittext: bigint; end: bigint; all: boolean },
    readonly source: 'kallsyms' | 'symtab',
  ) {
    // kallsyms tables are already sorted by address (ties in the kernel's preferred order); a
    // stable sort keeps that order and fixes up the symtab fallback.
    const sorted = entries.map((e, i) => ({ e, i })).sort((a, b) => (a.e.address < b.e.address ? -1 : a.e.address > b.e.address ? 1 : a.i - b.i));
    this.addresses = sorted.map((s) => s.e.address);
    this.names = sorted.map((s) => s.e.name);
  }

  get size(): number {
    return this.names.length;
  }

  /** is_ksym_addr(): inside the image's text (or anywhere in it with CONFIG_KALLSYMS_ALL). */
  contains(addr: bigint): boolean {
    const b = this.bounds;
    if (b.all) return (addr >= b.stext && addr <= b.end) || (addr >= b.sinittext && addr < b.einittext);
    return (addr >= b.stext && addr < b.etext) || (addr >= b.sinittext && addr < b.einittext);
  }

  /** get_symbol_pos(): the first alias at or below addr, and the distance to the next address. */
  lookup(addr: bigint): SymbolPosition | undefined {
    if (!this.contains(addr) || this.addresses.length === 0) return undefined;
    const a = this.addresses;
    let low = 0;
    let high = a.length;
    while (high - low > 1) {
      const mid = low + ((high - low) >> 1);
      if (a[mid]! <= addr) low = mid;
      else high = mid;
    }
    while (low && a[low - 1] === a[low]) --low;
    const start = a[low]!;
    let end = 0n;
    for (let i = low + 1; i < a.length; i++) {
      if (a[i]! > start) {
        end = a[i]!;
        break;
      }
    }
    if (!end) {
      const b = this.bounds;
      end = addr >= b.sinittext && addr < b.einittext ? b.einittext : b.all ? b.end : b.etext;
    }
    return { name: this.names[low]!, start, size: end - start, offset: addr - start };
  }
}

function regionSize(kernel: Kernel, name: string): number | undefined {
  const sym = kernel.vmlinux.symbols.get(name);
  if (!sym) return undefined;
  if (sym.size) return sym.size;
  // Tables come from generated assembly without .size: use the distance to the next symbol.
  const sorted = kernel.vmlinux.symbols.sorted;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.address <= sym.address) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < sorted.length; i++) {
    if (sorted[i]!.address > sym.address) return Number(sorted[i]!.address - sym.address);
  }
  return undefined;
}

function imageBounds(kernel: Kernel) {
  const s = (n: string) => kernel.trySymbol(n) ?? 0n;
  const all = kernel.configValue('KALLSYMS_ALL') === 'y' || (kernel.config === undefined && kernel.hasSymbol('kallsyms_names'));
  return { stext: s('_stext'), etext: s('_etext'), sinittext: s('_sinittext'), einittext: s('_einittext'), end: s('_end'), all };
}

/** Decode kallsyms from the dump; undefined when the tables are missing or unreadable. */
export function readKallsyms(kernel: Kernel): KallsymsTable | undefined {
  try {
    if (!kernel.hasSymbol('kallsyms_names') || !kernel.hasSymbol('kallsyms_num_syms')) return undefined;
    const num = kernel.readU32(kernel.symbol('kallsyms_num_syms'));
    if (num === 0 || num > 5_000_000) return undefined;
    const namesLen = regionSize(kernel, 'kallsyms_names') ?? num * 40;
    const names = kernel.read(kernel.symbol('kallsyms_names'), namesLen);
    const tokenTable = kernel.read(kernel.symbol('kallsyms_token_table'), regionSize(kernel, 'kallsyms_token_table') ?? 4096);
    const tokenIndexBuf = kernel.read(kernel.symbol('kallsyms_token_index'), 512);
    const tokens: string[] = [];
    for (let i = 0; i < 256; i++) {
      const off = tokenIndexBuf.readUInt16LE(i * 2);
      const end = tokenTable.indexOf(0, off);
      tokens.push(tokenTable.toString('latin1', off, end < 0 ? tokenTable.length : end));
    }
    const decoded: string[] = new Array(num);
    let off = 0;
    for (let i = 0; i < num; i++) {
      let len = names[off++]!;
      // "Big" symbols (6.1+): a set MSB means a second length byte.
      if (len & 0x80) len = (len & 0x7f) | (names[off++]! << 7);
      let s = '';
      for (let j = 0; j < len; j++) s += tokens[names[off + j]!]!;
      off += len;
      decoded[i] = s;
    }
    const addrs = readAddresses(kernel, num, decoded);
    if (!addrs) return undefined;
    const lto = kernel.configValue('LTO_CLANG') === 'y';
    const entries: KallsymsEntry[] = decoded.map((s, i) => ({ address: addrs[i]!, type: s[0] ?? '?', name: cleanupName(s.slice(1), lto) }));
    return new KallsymsTable(entries, imageBounds(kernel), 'kallsyms');
  } catch {
    return undefined;
  }
}

/**
 * kallsyms_sym_address(): absolute kallsyms_addresses[] (old), or kallsyms_offsets[] relative to
 * kallsyms_relative_base, where with KALLSYMS_ABSOLUTE_PERCPU non-negative offsets are absolute
 * per-cpu values and negative ones count down from relative_base − 1. The mode is checked against
 * a known text symbol instead of guessed from the config.
 */
function readAddresses(kernel: Kernel, num: number, names: string[]): bigint[] | undefined {
  if (kernel.hasSymbol('kallsyms_addresses') && !kernel.hasSymbol('kallsyms_offsets')) {
    const raw = kernel.read(kernel.symbol('kallsyms_addresses'), num * 8);
    return Array.from({ length: num }, (_, i) => raw.readBigUInt64LE(i * 8));
  }
  if (!kernel.hasSymbol('kallsyms_offsets')) return undefined;
  const raw = kernel.read(kernel.symbol('kallsyms_offsets'), num * 4);
  const base = kernel.hasSymbol('kallsyms_relative_base') ? kernel.readU64(kernel.symbol('kallsyms_relative_base')) : kernel.symbol('_text');
  const relative = (i: number) => (base + BigInt(raw.readUInt32LE(i * 4))) & 0xffffffffffffffffn;
  const absPercpu = (i: number) => {
    const o = raw.readInt32LE(i * 4);
    return o >= 0 ? BigInt(o) : (base - 1n - BigInt(o)) & 0xffffffffffffffffn;
  };
  let mode: ((i: number) => bigint) | undefined;
  for (const probe of ['_stext', '_text', 'start_kernel', 'printk']) {
    const idx = names.findIndex((n) => n.slice(1) === probe);
    const want = kernel.trySymbol(probe);
    if (idx < 0 || want === undefined) continue;
    if (relative(idx) === want) mode = relative;
    else if (absPercpu(idx) === want) mode = absPercpu;
    if (mode) break;
  }
  if (!mode) return undefined;
  return Array.from({ length: num }, (_, i) => mode!(i));
}

/** CONFIG_LTO_CLANG promotes statics with ".llvm.<hash>"-style suffixes; kallsyms strips them. */
function cleanupName(name: string, lto: boolean): string {
  if (!lto) return name;
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** Fallback: the vmlinux symtab filtered the way scripts/kallsyms.c filters it. */
export function kallsymsFromSymtab(kernel: Kernel): KallsymsTable {
  const entries: KallsymsEntry[] = [];
  for (const s of kernel.vmlinux.symbols.sorted) {
    const n = s.name;
    if (n.startsWith('$') || n.startsWith('.L') || n.startsWith('__crc_') || n.startsWith('__kstrtab') || n.startsWith('__efistub_')) continue;
    entries.push({ address: (s.address + kernel.kaslrOffset) & 0xffffffffffffffffn, name: n, type: s.isFunction ? 't' : 'd' });
  }
  return new KallsymsTable(entries, imageBounds(kernel), 'symtab');
}
