/**
 * Choose the type source for a vmlinux: BTF when `.BTF` exists (fast, compact), else DWARF.
 * `--types btf|dwarf` forces one.
 */
import type { ElfFile } from '../elf/elf-file.js';
import { InputError } from '../util/errors.js';
import { BtfRegistry } from './btf.js';
import type { TypeRegistry } from './ctype.js';

export type TypeSourceChoice = 'auto' | 'btf' | 'dwarf';

export async function openTypeRegistry(elf: ElfFile, choice: TypeSourceChoice = 'auto'): Promise<TypeRegistry> {
  const hasBtf = elf.section('.BTF') !== undefined;
  const hasDwarf = elf.section('.debug_info') !== undefined;
  if (choice === 'btf' || (choice === 'auto' && hasBtf)) {
    if (!hasBtf) throw new InputError(elf.path, 'no .BTF section (build with CONFIG_DEBUG_INFO_BTF, or use --types dwarf)');
    return new BtfRegistry(elf.sectionData('.BTF'), elf.is64 ? 8 : 4);
  }
  if (!hasDwarf) {
    throw new InputError(elf.path, 'no type information: neither .BTF nor .debug_info (a stripped vmlinux? use the unstripped one from the build)');
  }
  // Loaded on demand so BTF-only runs never pay for the DWARF reader.
  const mod = await import('./dwarf/index.js');
  return mod.openDwarfRegistry(elf);
}
