/**
 * Flag and name tables as the image defines them (lib/vsprintf.c, mm/debug.c, mm/page_alloc.c):
 * %pGg from gfpflag_names[], %pGp from pageflag_names[] plus the page-flags field layout (pff[]),
 * migratetype_names[] and migrate_reason_names[]. Nothing here hard-codes a name or a bit.
 */
import type { Kernel } from '../kernel/kernel.js';
import { RamparseError } from '../util/errors.js';

export interface FlagName {
  readonly mask: bigint;
  readonly name: string;
}

interface PageFlagsField {
  readonly name: string;
  readonly shift: number;
  readonly mask: bigint;
  readonly decimal: boolean;
}

/** struct trace_print_flags { unsigned long mask; const char *name; }[] ending with {0, NULL}. */
export function readFlagNames(kernel: Kernel, symbol: string): FlagName[] {
  const base = kernel.symbol(symbol);
  const size = kernel.hasType('struct trace_print_flags') ? kernel.sizeof('struct trace_print_flags') : 16;
  const maskOff = kernel.hasType('struct trace_print_flags') ? kernel.offsetof('struct trace_print_flags', 'mask') : 0;
  const nameOff = kernel.hasType('struct trace_print_flags') ? kernel.offsetof('struct trace_print_flags', 'name') : 8;
  const out: FlagName[] = [];
  for (let i = 0; i < 512; i++) {
    const e = kernel.read(base + BigInt(i * size), size);
    const namePtr = e.readBigUInt64LE(nameOff);
    if (namePtr === 0n) return out;
    out.push({ mask: e.readBigUInt64LE(maskOff), name: kernel.readCString(kernel.arch.canonical(namePtr), 64) });
  }
  throw new RamparseError(`${symbol}[] has no terminating entry`);
}

/** An array of `const char *` (migratetype_names, migrate_reason_names). */
export function readStringArray(kernel: Kernel, symbol: string, count?: number): string[] {
  const sym = kernel.vmlinux.symbols.get(symbol);
  const n = count ?? (sym?.size ? sym.size / 8 : 0);
  if (!n) throw new RamparseError(`cannot size ${symbol}[]`);
  const base = kernel.symbol(symbol);
  const raw = kernel.read(base, n * 8);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = raw.readBigUInt64LE(i * 8);
    out.push(p === 0n ? '(null)' : kernel.readCString(kernel.arch.canonical(p), 128));
  }
  return out;
}

/** format_flags(): names in table order, a name only when all its bits are set; leftovers as %#lx. */
export function formatFlags(flags: bigint, names: readonly FlagName[]): string {
  let rest = flags;
  let out = '';
  for (const n of names) {
    if (rest === 0n) break;
    if ((rest & n.mask) !== n.mask) continue;
    out += n.name;
    rest &= ~n.mask;
    if (rest) out += '|';
  }
  if (rest) out += '0x' + rest.toString(16);
  return out;
}

/**
 * %pGp: "<hex>(names|section=…|node=…|zone=…|lastcpupid=…|kasantag=…)" since 5.14, reading which
 * fields exist and where from the image's pff[] table; before that only the names.
 */
export class PageFlagsFormatter {
  readonly names: readonly FlagName[];
  private readonly fields: readonly PageFlagsField[] | undefined;
  private readonly mainMask: bigint;

  constructor(kernel: Kernel) {
    this.names = readFlagNames(kernel, 'pageflag_names');
    const nr = kernel.enumValue('__NR_PAGEFLAGS') ?? kernel.enumValue('NR_PAGEFLAGS');
    this.mainMask = nr !== undefined ? (1n << nr) - 1n : (1n << 64n) - 1n;
    this.fields = readPff(kernel);
  }

  /** True when %pGp prints the raw value and the field area itself (5.14+). */
  get printsFields(): boolean {
    return this.fields !== undefined;
  }

  /** What %pGp prints. */
  format(flags: bigint): string {
    if (!this.fields) return formatFlags(flags, this.names);
    let out = '0x' + flags.toString(16) + '(';
    const main = flags & this.mainMask;
    let append = false;
    if (main) {
      out += formatFlags(main, this.names);
      append = true;
    }
    for (const f of this.fields) {
      if (append) out += '|';
      const v = (flags >> BigInt(f.shift)) & f.mask;
      out += `${f.name}=${f.decimal ? v.toString(10) : '0x' + v.toString(16)}`;
      append = true;
    }
    return out + ')';
  }
}

/** pff[]: { int width, shift, mask; const struct printf_spec *spec; const char *name; } (lib/vsprintf.c). */
function readPff(kernel: Kernel): PageFlagsField[] | undefined {
  const sym = kernel.vmlinux.symbols.get('pff');
  if (!sym || !kernel.hasType('struct page_flags_fields')) return undefined;
  const T = 'struct page_flags_fields';
  const size = kernel.sizeof(T);
  const n = sym.size ? sym.size / size : 5;
  const base = kernel.symbol('pff');
  const out: PageFlagsField[] = [];
  for (let i = 0; i < n; i++) {
    const e = kernel.object(T, base + BigInt(i * size));
    const width = e.num('width');
    if (!width) continue;
    const mask = BigInt.asUintN(32, e.value('mask'));
    const specPtr = e.ptr('spec');
    let decimal = true;
    if (specPtr !== 0n && kernel.hasType('struct printf_spec')) decimal = kernel.object('struct printf_spec', specPtr).num('base') === 10;
    out.push({ name: kernel.readCString(e.ptr('name'), 32), shift: e.num('shift'), mask, decimal });
  }
  return out;
}
