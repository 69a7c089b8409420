/**
 * The vmlinux ELF symbol table: link-time addresses (before KASLR) by name, and the reverse
 * lookup used when the in-dump kallsyms tables are unavailable.
 */
import type { ElfFile, ElfSymbol } from '../elf/elf-file.js';

const STT_NOTYPE = 0;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_SECTION = 3;
const STT_FILE = 4;

export interface LinkSymbol {
  readonly name: string;
  readonly address: bigint;
  readonly size: number;
  readonly isFunction: boolean;
  readonly isObject: boolean;
  readonly isGlobal: boolean;
}

export class VmlinuxSymbols {
  private readonly byName = new Map<string, LinkSymbol>();
  /** Symbols with an address, sorted by address (for reverse lookup). */
  readonly sorted: readonly LinkSymbol[];

  constructor(elfSymbols: readonly ElfSymbol[]) {
    const list: LinkSymbol[] = [];
    for (const s of elfSymbols) {
      if (!s.name || s.type === STT_SECTION || s.type === STT_FILE) continue;
      if (s.shndx === 0) continue; // undefined
      const sym: LinkSymbol = {
        name: s.name,
        address: s.value,
        size: s.size,
        isFunction: s.type === STT_FUNC,
        isObject: s.type === STT_OBJECT,
        isGlobal: s.bind === 1 || s.bind === 2,
      };
      const prev = this.byName.get(s.name);
      // Prefer the global definition when a local of the same name exists (static helpers in many files).
      if (!prev || (!prev.isGlobal && sym.isGlobal)) this.byName.set(s.name, sym);
      if (s.type === STT_FUNC || s.type === STT_OBJECT || s.type === STT_NOTYPE) list.push(sym);
    }
    list.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    this.sorted = list;
  }

  static fromElf(elf: ElfFile): VmlinuxSymbols {
    return new VmlinuxSymbols(elf.symbols());
  }

  get size(): number {
    return this.byName.size;
  }

  get(name: string): LinkSymbol | undefined {
    return this.byName.get(name);
  }

  address(name: string): bigint | undefined {
    return this.byName.get(name)?.address;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }
}
