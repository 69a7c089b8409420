/**
 * %pS as the kernel prints it (lib/vsprintf.c symbol_string → kernel/kallsyms.c __sprint_symbol):
 * "name+0xoff/0xsize", " [module]" for module text, "0x<addr>" when nothing contains the address
 * (freed module __init text, for example). Results are cached per address.
 */
import type { Kernel } from '../kernel/kernel.js';
import { kallsymsFromSymtab, readKallsyms, type KallsymsTable } from './kallsyms.js';
import { ModuleSymbols, readModules } from './modules.js';

export interface ResolvedSymbol {
  readonly name: string;
  readonly offset: bigint;
  readonly size: bigint;
  readonly module?: string;
}

export class Symbolizer {
  readonly kallsyms: KallsymsTable;
  readonly modules: ModuleSymbols;
  private readonly cache = new Map<bigint, string>();

  constructor(readonly kernel: Kernel) {
    const table = readKallsyms(kernel);
    if (!table) kernel.warn('kallsyms tables not readable from the dump; symbol sizes come from the vmlinux symtab and may differ from the kernel\'s');
    this.kallsyms = table ?? kallsymsFromSymtab(kernel);
    this.modules = new ModuleSymbols(readModules(kernel));
  }

  resolve(addr: bigint): ResolvedSymbol | undefined {
    const k = this.kallsyms.lookup(addr);
    if (k) return { name: k.name, offset: k.offset, size: k.size };
    const m = this.modules.lookup(addr);
    if (m && m.name !== undefined) return { name: m.name, offset: m.offset, size: m.size, module: m.module };
    return undefined;
  }

  /** The text %pS prints for this address. */
  format(addr: bigint): string {
    let s = this.cache.get(addr);
    if (s === undefined) {
      const r = this.resolve(addr);
      s = r ? `${r.name}+0x${r.offset.toString(16)}/0x${r.size.toString(16)}${r.module ? ` [${r.module}]` : ''}` : `0x${addr.toString(16)}`;
      this.cache.set(addr, s);
    }
    return s;
  }
}
