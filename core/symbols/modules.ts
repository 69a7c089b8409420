/**
 * Loaded modules and their symbols, read from the dump (kernel/module/kallsyms.c).
 * Layout changed in 6.4 (module_layout core_layout/init_layout → module_memory mem[]); both are
 * read by member name.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { SymbolPosition } from './kallsyms.js';

export interface ModuleRegion {
  readonly base: bigint;
  readonly size: bigint;
  /** Bytes of text at the start (≤6.3 layouts; equal to size for text regions since 6.4). */
  readonly textSize: bigint;
  readonly isText: boolean;
  readonly isInit: boolean;
}

interface ModSymbol {
  readonly value: bigint;
  readonly name: string;
  readonly shndx: number;
}

export interface LoadedModule {
  readonly name: string;
  readonly address: bigint;
  readonly regions: readonly ModuleRegion[];
  readonly symbols: readonly ModSymbol[];
  /** 6.4+ lookup rules (bestval starts below the region, any '$' symbol is a mapping symbol). */
  readonly memLayout: boolean;
}

const SHN_UNDEF = 0;
const ELF64_SYM_SIZE = 24;
const MODULE_STATE_UNFORMED = 3;

export function readModules(kernel: Kernel): LoadedModule[] {
  const head = kernel.trySymbol('modules');
  if (head === undefined || !kernel.hasType('struct module')) return [];
  const out: LoadedModule[] = [];
  for (const addr of kernel.listForEach(head, 'struct module', 'list', { what: 'modules list', limit: 10000 })) {
    try {
      const mod = kernel.object('struct module', addr);
      if (mod.has('state') && mod.num('state') === MODULE_STATE_UNFORMED) continue;
      out.push({ name: mod.str('name'), address: addr, regions: moduleRegions(kernel, mod), symbols: moduleSymbols(kernel, mod), memLayout: mod.has('mem') });
    } catch (e) {
      kernel.warn(`module at 0x${addr.toString(16)} unreadable (${(e as Error).message}); its symbols are skipped`);
    }
  }
  return out;
}

function moduleRegions(kernel: Kernel, mod: ReturnType<Kernel['object']>): ModuleRegion[] {
  const regions: ModuleRegion[] = [];
  if (mod.has('mem')) {
    // enum mod_mem_type: MOD_TEXT, MOD_DATA, MOD_RODATA, MOD_RO_AFTER_INIT, MOD_INIT_TEXT, MOD_INIT_DATA, MOD_INIT_RODATA
    const text = Number(kernel.enumValue('MOD_TEXT') ?? 0n);
    const initText = Number(kernel.enumValue('MOD_INIT_TEXT') ?? 4n);
    const firstInit = Number(kernel.enumValue('MOD_INIT_TEXT') ?? 4n);
    const mem = mod.member('mem');
    const t = kernel.types.complete(mem.type);
    const n = t.kind === 'array' ? t.length : 0;
    const elemSize = t.kind === 'array' ? kernel.types.sizeof(t.element) : 0;
    for (let i = 0; i < n; i++) {
      const m = kernel.object('struct module_memory', mem.address + BigInt(i * elemSize));
      const size = m.value('size');
      regions.push({ base: m.ptr('base'), size, textSize: i === text || i === initText ? size : 0n, isText: i === text || i === initText, isInit: i >= firstInit });
    }
    return regions;
  }
  for (const [field, isInit] of [
    ['core_layout', false],
    ['init_layout', true],
  ] as const) {
    if (!mod.has(field)) continue;
    const l = mod.member(field);
    regions.push({ base: l.ptr('base'), size: l.value('size'), textSize: l.value('text_size'), isText: true, isInit });
  }
  return regions;
}

function moduleSymbols(kernel: Kernel, mod: ReturnType<Kernel['object']>): ModSymbol[] {
  const ks = mod.deref('kallsyms');
  if (!ks) return [];
  const num = ks.num('num_symtab');
  if (num <= 0 || num > 1_000_000) return [];
  const symtab = kernel.read(ks.ptr('symtab'), num * ELF64_SYM_SIZE);
  const strtabAddr = ks.ptr('strtab');
  const syms: ModSymbol[] = [];
  // strtab is compacted per-module (only core symbols' names), read names one by one.
  for (let i = 0; i < num; i++) {
    const b = i * ELF64_SYM_SIZE;
    const nameOff = symtab.readUInt32LE(b);
    const shndx = symtab.readUInt16LE(b + 6);
    const value = symtab.readBigUInt64LE(b + 8);
    let name = '';
    try {
      name = kernel.readCString(strtabAddr + BigInt(nameOff), 512);
    } catch {
      name = '';
    }
    syms.push({ value, name, shndx });
  }
  return syms;
}

function isMappingSymbol(name: string, memLayout: boolean): boolean {
  if (name.startsWith('.L')) return true;
  if (memLayout) return name.startsWith('L0') || name.startsWith('$');
  return name[0] === '$' && 'axtd'.includes(name[1] ?? '') && (name.length === 2 || name[2] === '.');
}

export class ModuleSymbols {
  constructor(readonly modules: readonly LoadedModule[]) {}

  /** __module_address(): the module whose memory contains addr. */
  moduleFor(addr: bigint): LoadedModule | undefined {
    return this.modules.find((m) => m.regions.some((r) => addr >= r.base && addr - r.base < r.size));
  }

  /** find_kallsyms_symbol() for the module that contains addr. */
  lookup(addr: bigint): (SymbolPosition & { module: string }) | { module: string; name?: undefined } | undefined {
    const mod = this.moduleFor(addr);
    if (!mod) return undefined;
    let nextval: bigint;
    let bestval: bigint;
    let best = 0;
    if (mod.memLayout) {
      const region = mod.regions.find((r) => addr >= r.base && addr - r.base < r.size);
      if (!region) return { module: mod.name };
      nextval = region.base + region.size;
      bestval = region.base - 1n;
    } else {
      const init = mod.regions.find((r) => r.isInit && addr >= r.base && addr - r.base < r.size);
      const core = mod.regions.find((r) => !r.isInit);
      const region = init ?? core;
      if (!region) return { module: mod.name };
      nextval = region.base + region.textSize;
      bestval = mod.symbols[0]?.value ?? 0n;
    }
    for (let i = 1; i < mod.symbols.length; i++) {
      const s = mod.symbols[i]!;
      if (s.shndx === SHN_UNDEF) continue;
      if (s.name === '' || isMappingSymbol(s.name, mod.memLayout)) continue;
      if (s.value <= addr && s.value > bestval) {
        best = i;
        bestval = s.value;
      }
      if (s.value > addr && s.value < nextval) nextval = s.value;
    }
    if (!best) return { module: mod.name };
    return { module: mod.name, name: mod.symbols[best]!.name, start: bestval, size: nextval - bestval, offset: addr - bestval };
  }
}
