/**
 * Relocations of debug sections in relocatable objects (ET_REL: `ld -r` output, kernel modules).
 *
 * In a .o or .ko, the assembler leaves offsets into .debug_str/.debug_str_offsets (and cross-unit
 * references) as relocations against section symbols: with RELA the field holds 0 and the real value
 * is the addend. A linked vmlinux (ET_EXEC) has the values in place — x86 vmlinux still carries
 * .rela.debug_* from --emit-relocs, which must NOT be applied again — so only ET_REL is relocated.
 */
import type { ElfFile, ElfSection } from '../../elf/elf-file.js';
import { DwarfError } from './dwarf-error.js';

const ET_REL = 1;
const SHT_RELA = 4;
const SHT_REL = 9;

/** Relocation type → field width in bytes, for the absolute relocations debug sections use. */
const ABSOLUTE_RELOCS: Record<number, Record<number, number>> = {
  3: { 1: 4 }, // EM_386: R_386_32
  8: { 2: 4, 18: 8 }, // EM_MIPS: R_MIPS_32, R_MIPS_64
  20: { 1: 4 }, // EM_PPC: R_PPC_ADDR32
  21: { 1: 4, 38: 8 }, // EM_PPC64: R_PPC64_ADDR32, R_PPC64_ADDR64
  22: { 4: 4, 22: 8 }, // EM_S390: R_390_32, R_390_64
  40: { 2: 4 }, // EM_ARM: R_ARM_ABS32
  62: { 1: 8, 10: 4, 11: 4 }, // EM_X86_64: R_X86_64_64, R_X86_64_32, R_X86_64_32S
  183: { 257: 8, 258: 4 }, // EM_AARCH64: R_AARCH64_ABS64, R_AARCH64_ABS32
  243: { 1: 4, 2: 8 }, // EM_RISCV: R_RISCV_32, R_RISCV_64
};

/**
 * Apply the relocations that target section `target` to its (already decompressed) bytes, in place.
 * Relocation types that are not plain absolute values (PC-relative, TLS, RISC-V ADD/SUB pairs) only
 * occur on address and length fields, which type reading never looks at, so they are left alone.
 */
export function relocateDebugSection(elf: ElfFile, target: ElfSection, data: Buffer): void {
  if (elf.elfType !== ET_REL) return;
  const name = target.name;
  const relocSections = elf.sections.filter((s) => (s.type === SHT_RELA || s.type === SHT_REL) && s.info === target.index);
  if (relocSections.length === 0) return;
  const widths = ABSOLUTE_RELOCS[elf.machine];
  if (!widths) {
    throw new DwarfError(elf.path, `relocatable object for ELF machine ${elf.machine}: debug relocations of this machine are not supported`);
  }
  const symbols = elf.symbols();
  const le = elf.littleEndian;
  for (const rs of relocSections) {
    const rela = rs.type === SHT_RELA;
    const raw = elf.read(rs.offset, rs.size);
    const entsize = rs.entsize || (elf.is64 ? (rela ? 24 : 16) : rela ? 12 : 8);
    for (let p = 0; p + entsize <= raw.length; p += entsize) {
      let offset: number, symIndex: number, type: number, addend: bigint;
      if (elf.is64) {
        offset = Number(le ? raw.readBigUInt64LE(p) : raw.readBigUInt64BE(p));
        const info = le ? raw.readBigUInt64LE(p + 8) : raw.readBigUInt64BE(p + 8);
        symIndex = Number(info >> 32n);
        type = Number(info & 0xffffffffn);
        // MIPS64 packs three types into r_info's low word; the first is the one that matters here.
        if (elf.machine === 8) type &= 0xff;
        addend = rela ? (le ? raw.readBigInt64LE(p + 16) : raw.readBigInt64BE(p + 16)) : 0n;
      } else {
        offset = le ? raw.readUInt32LE(p) : raw.readUInt32BE(p);
        const info = le ? raw.readUInt32LE(p + 4) : raw.readUInt32BE(p + 4);
        symIndex = info >>> 8;
        type = info & 0xff;
        addend = rela ? BigInt(le ? raw.readInt32LE(p + 8) : raw.readInt32BE(p + 8)) : 0n;
      }
      const width = widths[type];
      if (width === undefined) continue;
      if (offset + width > data.length) throw new DwarfError(elf.path, `${rs.name}: relocation at ${offset} is outside ${name}`);
      const symValue = symbols[symIndex]?.value ?? 0n;
      // REL keeps the addend in the field itself (DWARF offsets against section symbols: S = 0).
      const inPlace = rela ? 0n : width === 8 ? (le ? data.readBigUInt64LE(offset) : data.readBigUInt64BE(offset)) : BigInt(le ? data.readUInt32LE(offset) : data.readUInt32BE(offset));
      const value = symValue + addend + inPlace;
      if (width === 8) {
        const v = BigInt.asUintN(64, value);
        if (le) data.writeBigUInt64LE(v, offset);
        else data.writeBigUInt64BE(v, offset);
      } else {
        const v = Number(BigInt.asUintN(32, value));
        if (le) data.writeUInt32LE(v, offset);
        else data.writeUInt32BE(v, offset);
      }
    }
  }
}
