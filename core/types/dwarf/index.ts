/**
 * DWARF type source. `openDwarfRegistry(elf)` indexes the file's .debug_info (and .debug_types)
 * and returns a TypeRegistry that decodes types on first use. See docs/dwarf.md.
 */
import type { ElfFile } from '../../elf/elf-file.js';
import { DwarfRegistry } from './registry.js';
import { DwarfSections } from './sections.js';

export { DwarfRegistry, type DwarfStats } from './registry.js';
export { DwarfError } from './dwarf-error.js';

/** Index the DWARF of `elf`; throws a DwarfError naming the file when it has no DWARF. */
export function openDwarfRegistry(elf: ElfFile): DwarfRegistry {
  return new DwarfRegistry(new DwarfSections(elf));
}
