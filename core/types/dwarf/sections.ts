/**
 * The DWARF sections a type reader needs, read once from the ELF file.
 *
 * .debug_info is read whole into one Buffer (300+ MB for a distribution kernel is fine; the indexer
 * needs random access to all of it). DWARF 4 type units in .debug_types are appended after
 * .debug_info so one offset space covers both (their internal references are unit-relative).
 */
import type { ElfFile, ElfSection } from '../../elf/elf-file.js';
import { SHF_COMPRESSED } from '../../elf/elf-file.js';
import { DwarfError } from './dwarf-error.js';
import { relocateDebugSection } from './relocations.js';

/** Node Buffers and our 32-bit offset arrays stop at 2 GiB. */
const MAX_SECTION = 0x7fffffff;

export class DwarfSections {
  readonly info: Buffer;
  /** Where .debug_types starts inside `info` (= .debug_info length), or -1 without type units there. */
  readonly typesStart: number;
  readonly abbrev: Buffer;
  readonly str: Buffer;
  readonly lineStr: Buffer;
  readonly strOffsets: Buffer;
  readonly littleEndian: boolean;
  readonly path: string;

  constructor(elf: ElfFile) {
    this.path = elf.path;
    this.littleEndian = elf.littleEndian;
    const info = readSection(elf, '.debug_info');
    const types = readSection(elf, '.debug_types');
    if (!info && !types) {
      throw new DwarfError(elf.path, 'no .debug_info section (the file has no DWARF debug info; use an unstripped vmlinux or one with BTF)');
    }
    const abbrev = readSection(elf, '.debug_abbrev');
    if (!abbrev) throw new DwarfError(elf.path, 'has .debug_info but no .debug_abbrev');
    if (info && types) {
      if (info.length + types.length > MAX_SECTION) throw new DwarfError(elf.path, '.debug_info + .debug_types exceed 2 GiB');
      this.info = Buffer.concat([info, types]);
      this.typesStart = info.length;
    } else if (types) {
      this.info = types;
      this.typesStart = 0;
    } else {
      this.info = info!;
      this.typesStart = -1;
    }
    this.abbrev = abbrev;
    this.str = readSection(elf, '.debug_str') ?? Buffer.alloc(0);
    this.lineStr = readSection(elf, '.debug_line_str') ?? Buffer.alloc(0);
    this.strOffsets = readSection(elf, '.debug_str_offsets') ?? Buffer.alloc(0);
  }
}

/**
 * A section's bytes, decompressed and (in relocatable objects) relocated. An `ld -r` object built
 * with -fdebug-types-section keeps each type unit in its own COMDAT .debug_info section; those are
 * concatenated (type units only reference their own unit and other units by signature, so the
 * concatenation keeps every reference valid).
 */
function readSection(elf: ElfFile, name: string): Buffer | undefined {
  const parts = elf.sections.filter((s) => s.name === name && s.size > 0).map((s) => readOne(elf, s));
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (total > MAX_SECTION) throw new DwarfError(elf.path, `sections ${name} add up to ${total} bytes; over 2 GiB is not supported`);
  return Buffer.concat(parts);
}

function readOne(elf: ElfFile, sec: ElfSection): Buffer {
  const name = sec.name;
  if (sec.size > MAX_SECTION) throw new DwarfError(elf.path, `section ${name} is ${sec.size} bytes; sections over 2 GiB are not supported`);
  if ((sec.flags & BigInt(SHF_COMPRESSED)) !== 0n) {
    // Elf64_Chdr / Elf32_Chdr: the uncompressed size is at 8 (64-bit) or 4 (32-bit).
    const head = elf.read(sec.offset, elf.is64 ? 16 : 8);
    const size = elf.is64
      ? Number(elf.littleEndian ? head.readBigUInt64LE(8) : head.readBigUInt64BE(8))
      : elf.littleEndian
        ? head.readUInt32LE(4)
        : head.readUInt32BE(4);
    if (size > MAX_SECTION) throw new DwarfError(elf.path, `section ${name} decompresses to ${size} bytes; sections over 2 GiB are not supported`);
  }
  const data = elf.sectionData(sec);
  relocateDebugSection(elf, sec, data);
  return data;
}
