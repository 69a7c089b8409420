/**
 * A minimal ELF reader for kernel images and vmcores.
 *
 * Why not elfy: it turns 64-bit fields into JS numbers (kernel addresses above 2^53 come out wrong),
 * needs the whole file in one Buffer (a vmlinux can be 600 MB, a vmcore many GiB), and has no symtab
 * or note parsing. This reader keeps every address a bigint, reads positionally, and only touches
 * the headers and the sections asked for.
 */
import { inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { InputError } from '../util/errors.js';
import { FileReader } from '../util/file-reader.js';

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly entsize: number;
}

export interface ElfSegment {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: bigint;
  readonly paddr: bigint;
  readonly filesz: number;
  readonly memsz: number;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: bigint;
  readonly size: number;
  /** STT_* */
  readonly type: number;
  /** STB_* */
  readonly bind: number;
  readonly shndx: number;
}

export interface ElfNote {
  readonly name: string;
  readonly type: number;
  readonly desc: Buffer;
}

export class ElfFile {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  readonly machine: number;
  readonly elfType: number;
  readonly segments: readonly ElfSegment[];
  readonly sections: readonly ElfSection[];
  private readonly byName = new Map<string, ElfSection>();

  static isElf(head: Buffer): boolean {
    return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
  }

  constructor(readonly file: FileReader) {
    const path = file.path;
    if (file.size < 64) throw new InputError(path, 'too small to be an ELF file');
    const ident = file.read(0, 64);
    if (!ElfFile.isElf(ident)) throw new InputError(path, 'not an ELF file (bad magic)');
    if (ident[4] !== 1 && ident[4] !== 2) throw new InputError(path, `bad ELF class ${ident[4]}`);
    if (ident[5] !== 1 && ident[5] !== 2) throw new InputError(path, `bad ELF data encoding ${ident[5]}`);
    this.is64 = ident[4] === 2;
    this.littleEndian = ident[5] === 1;
    const h = new Fields(ident, this.littleEndian);
    this.elfType = h.u16(16);
    this.machine = h.u16(18);
    let phoff: number, shoff: number, phentsize: number, phnum: number, shentsize: number, shnum: number, shstrndx: number;
    if (this.is64) {
      phoff = h.num64(32, path);
      shoff = h.num64(40, path);
      phentsize = h.u16(54);
      phnum = h.u16(56);
      shentsize = h.u16(58);
      shnum = h.u16(60);
      shstrndx = h.u16(62);
    } else {
      phoff = h.u32(28);
      shoff = h.u32(32);
      phentsize = h.u16(42);
      phnum = h.u16(44);
      shentsize = h.u16(46);
      shnum = h.u16(48);
      shstrndx = h.u16(50);
    }
    this.segments = phnum ? this.readSegments(phoff, phentsize, phnum) : [];
    // Extended section numbering: e_shnum == 0 and e_shstrndx == SHN_XINDEX keep real values in section 0.
    if (shoff && shnum === 0) {
      const s0 = this.readSectionHeader(shoff, shentsize, 0, '');
      shnum = s0.size;
      if (shstrndx === 0xffff) shstrndx = s0.link;
    }
    this.sections = shoff && shnum ? this.readSections(shoff, shentsize, shnum, shstrndx) : [];
    for (const s of this.sections) if (!this.byName.has(s.name)) this.byName.set(s.name, s);
  }

  get path(): string {
    return this.file.path;
  }

  private readSegments(off: number, entsize: number, num: number): ElfSegment[] {
    const buf = this.file.read(off, entsize * num);
    const f = new Fields(buf, this.littleEndian);
    const out: ElfSegment[] = [];
    for (let i = 0; i < num; i++) {
      const b = i * entsize;
      if (this.is64) {
        out.push({
          type: f.u32(b),
          flags: f.u32(b + 4),
          offset: f.num64(b + 8, this.path),
          vaddr: f.u64(b + 16),
          paddr: f.u64(b + 24),
          filesz: f.num64(b + 32, this.path),
          memsz: f.num64(b + 40, this.path),
        });
      } else {
        out.push({
          type: f.u32(b),
          offset: f.u32(b + 4),
          vaddr: BigInt(f.u32(b + 8)),
          paddr: BigInt(f.u32(b + 12)),
          filesz: f.u32(b + 16),
          memsz: f.u32(b + 20),
          flags: f.u32(b + 24),
        });
      }
    }
    return out;
  }

  private readSectionHeader(shoff: number, entsize: number, i: number, name: string): ElfSection {
    const buf = this.file.read(shoff + i * entsize, entsize);
    const f = new Fields(buf, this.littleEndian);
    if (this.is64) {
      return {
        index: i,
        name,
        type: f.u32(4),
        flags: f.u64(8),
        addr: f.u64(16),
        offset: f.num64(24, this.path),
        size: f.num64(32, this.path),
        link: f.u32(40),
        info: f.u32(44),
        entsize: f.num64(56, this.path),
      };
    }
    return {
      index: i,
      name,
      type: f.u32(4),
      flags: BigInt(f.u32(8)),
      addr: BigInt(f.u32(12)),
      offset: f.u32(16),
      size: f.u32(20),
      link: f.u32(24),
      info: f.u32(28),
      entsize: f.u32(36),
    };
  }

  private readSections(shoff: number, entsize: number, num: number, shstrndx: number): ElfSection[] {
    const raw: ElfSection[] = [];
    for (let i = 0; i < num; i++) raw.push(this.readSectionHeader(shoff, entsize, i, ''));
    const strtab = raw[shstrndx];
    if (!strtab) throw new InputError(this.path, 'section name table index out of range');
    const names = this.file.read(strtab.offset, strtab.size);
    const headers = this.file.read(shoff, entsize * num);
    return raw.map((s, i) => {
      const nameOff = this.littleEndian ? headers.readUInt32LE(i * entsize) : headers.readUInt32BE(i * entsize);
      return { ...s, name: cString(names, nameOff) };
    });
  }

  section(name: string): ElfSection | undefined {
    return this.byName.get(name);
  }

  /** Raw bytes of a section, decompressed when SHF_COMPRESSED (zlib or zstd). */
  sectionData(s: ElfSection | string): Buffer {
    const sec = typeof s === 'string' ? this.section(s) : s;
    if (!sec) throw new InputError(this.path, `no section ${String(s)}`);
    if (sec.type === SHT_NOBITS) return Buffer.alloc(sec.size);
    const data = this.file.read(sec.offset, sec.size);
    if ((sec.flags & BigInt(SHF_COMPRESSED)) === 0n) return data;
    const f = new Fields(data, this.littleEndian);
    const chType = f.u32(0);
    const chSize = this.is64 ? f.num64(8, this.path) : f.u32(4);
    const payload = data.subarray(this.is64 ? 24 : 12);
    let out: Buffer;
    if (chType === ELFCOMPRESS_ZLIB) out = inflateSync(payload);
    else if (chType === ELFCOMPRESS_ZSTD) out = Buffer.from(zstdDecompress(payload));
    else throw new InputError(this.path, `section ${sec.name}: unknown compression type ${chType}`);
    if (out.length !== chSize) throw new InputError(this.path, `section ${sec.name}: decompressed ${out.length} bytes, header says ${chSize}`);
    return out;
  }

  /** All symbols of .symtab (STT_* filtering is the caller's job). */
  symbols(): ElfSymbol[] {
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!symtab) return [];
    const strtab = this.sections[symtab.link];
    if (!strtab) throw new InputError(this.path, '.symtab has no string table');
    const data = this.file.read(symtab.offset, symtab.size);
    const strings = this.file.read(strtab.offset, strtab.size);
    const entsize = symtab.entsize || (this.is64 ? 24 : 16);
    const n = Math.floor(data.length / entsize);
    const out: ElfSymbol[] = new Array(n);
    const le = this.littleEndian;
    for (let i = 0; i < n; i++) {
      const b = i * entsize;
      let nameOff: number, value: bigint, size: number, info: number, shndx: number;
      if (this.is64) {
        nameOff = le ? data.readUInt32LE(b) : data.readUInt32BE(b);
        info = data[b + 4]!;
        shndx = le ? data.readUInt16LE(b + 6) : data.readUInt16BE(b + 6);
        value = le ? data.readBigUInt64LE(b + 8) : data.readBigUInt64BE(b + 8);
        size = Number(le ? data.readBigUInt64LE(b + 16) : data.readBigUInt64BE(b + 16));
      } else {
        nameOff = le ? data.readUInt32LE(b) : data.readUInt32BE(b);
        value = BigInt(le ? data.readUInt32LE(b + 4) : data.readUInt32BE(b + 4));
        size = le ? data.readUInt32LE(b + 8) : data.readUInt32BE(b + 8);
        info = data[b + 12]!;
        shndx = le ? data.readUInt16LE(b + 14) : data.readUInt16BE(b + 14);
      }
      out[i] = { name: cString(strings, nameOff), value, size, type: info & 0xf, bind: info >> 4, shndx };
    }
    return out;
  }

  /** Notes from every PT_NOTE segment (vmcores) or SHT_NOTE section (vmlinux). */
  notes(): ElfNote[] {
    const out: ElfNote[] = [];
    const regions: Array<{ offset: number; size: number }> = this.segments.some((p) => p.type === PT_NOTE)
      ? this.segments.filter((p) => p.type === PT_NOTE).map((p) => ({ offset: p.offset, size: p.filesz }))
      : this.sections.filter((s) => s.type === 7).map((s) => ({ offset: s.offset, size: s.size }));
    for (const r of regions) {
      if (r.size === 0) continue;
      const buf = this.file.read(r.offset, r.size);
      out.push(...parseNotes(buf, this.littleEndian));
    }
    return out;
  }

  /** Bytes at a file offset (for sections/segments located by the caller). */
  read(offset: number, length: number): Buffer {
    return this.file.read(offset, length);
  }
}

export function parseNotes(buf: Buffer, littleEndian: boolean): ElfNote[] {
  const out: ElfNote[] = [];
  const f = new Fields(buf, littleEndian);
  let p = 0;
  while (p + 12 <= buf.length) {
    const namesz = f.u32(p);
    const descsz = f.u32(p + 4);
    const type = f.u32(p + 8);
    p += 12;
    if (p + namesz > buf.length) break;
    const name = buf.toString('latin1', p, p + Math.max(0, namesz - 1)).replace(/\0+$/, '');
    p += align4(namesz);
    if (p + descsz > buf.length) break;
    out.push({ name, type, desc: buf.subarray(p, p + descsz) });
    p += align4(descsz);
  }
  return out;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

export function cString(buf: Buffer, offset: number): string {
  if (offset >= buf.length) return '';
  let end = buf.indexOf(0, offset);
  if (end < 0) end = buf.length;
  return buf.toString('latin1', offset, end);
}

/** Endian-aware field access; 64-bit offsets/sizes as exact numbers (files are < 2^53 bytes). */
class Fields {
  constructor(private readonly b: Buffer, private readonly le: boolean) {}
  u16(o: number): number {
    return this.le ? this.b.readUInt16LE(o) : this.b.readUInt16BE(o);
  }
  u32(o: number): number {
    return this.le ? this.b.readUInt32LE(o) : this.b.readUInt32BE(o);
  }
  u64(o: number): bigint {
    return this.le ? this.b.readBigUInt64LE(o) : this.b.readBigUInt64BE(o);
  }
  num64(o: number, path: string): number {
    const v = this.u64(o);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(path, `ELF field at ${o} is too large: 0x${v.toString(16)}`);
    return Number(v);
  }
}
