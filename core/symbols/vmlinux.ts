/**
 * The vmlinux file: machine, link-time symbols, the bytes of its loaded sections (for comparing the
 * banner and reading constant tables), and the embedded IKCONFIG when present.
 */
import { gunzipSync } from 'node:zlib';
import { ElfFile, EM_AARCH64, EM_X86_64, SHT_NOBITS, type ElfSection } from '../elf/elf-file.js';
import type { ArchName } from '../arch/kernel-arch.js';
import { InputError } from '../util/errors.js';
import { FileReader } from '../util/file-reader.js';
import { VmlinuxSymbols } from './vmlinux-symbols.js';

export class Vmlinux {
  readonly elf: ElfFile;
  readonly arch: ArchName;
  readonly symbols: VmlinuxSymbols;
  private configCache: Map<string, string> | null | undefined;
  private readonly loadedSections: ElfSection[];

  constructor(readonly path: string) {
    const file = new FileReader(path);
    try {
      this.elf = new ElfFile(file);
    } catch (e) {
      file.close();
      if (e instanceof InputError) throw new InputError(path, `not a vmlinux: ${e.message.replace(`${path}: `, '')}`);
      throw e;
    }
    if (this.elf.elfType === 4) throw new InputError(path, 'this is an ELF core dump, not a vmlinux (give the dump as the positional argument)');
    if (this.elf.machine === EM_X86_64) this.arch = 'x86_64';
    else if (this.elf.machine === EM_AARCH64) this.arch = 'arm64';
    else throw new InputError(path, `ELF machine ${this.elf.machine} is not supported (x86_64 and arm64 are)`);
    if (!this.elf.is64 || !this.elf.littleEndian) throw new InputError(path, 'only 64-bit little-endian kernels are supported');
    this.symbols = VmlinuxSymbols.fromElf(this.elf);
    if (this.symbols.size === 0) throw new InputError(path, 'no symbol table (.symtab was stripped; ramparse needs it)');
    if (!this.symbols.has('linux_banner')) throw new InputError(path, 'no linux_banner symbol: is this really a Linux vmlinux?');
    this.loadedSections = this.elf.sections.filter((s) => s.addr !== 0n && s.size > 0 && (s.flags & 2n) !== 0n);
  }

  close(): void {
    this.elf.file.close();
  }

  /** Link-time address of a symbol, or throws. */
  symbol(name: string): bigint {
    const a = this.symbols.address(name);
    if (a === undefined) throw new InputError(this.path, `symbol ${name} not found`);
    return a;
  }

  /** Bytes at a link-time virtual address, from the file (zeros for .bss). */
  readLink(va: bigint, length: number): Buffer | undefined {
    const sec = this.loadedSections.find((s) => va >= s.addr && va + BigInt(length) <= s.addr + BigInt(s.size));
    if (!sec) return undefined;
    if (sec.type === SHT_NOBITS) return Buffer.alloc(length);
    return this.elf.read(sec.offset + Number(va - sec.addr), length);
  }

  /** NUL-terminated string at a link-time address. */
  readLinkString(va: bigint, max = 512): string | undefined {
    const sec = this.loadedSections.find((s) => va >= s.addr && va < s.addr + BigInt(s.size));
    if (!sec || sec.type === SHT_NOBITS) return undefined;
    const avail = Math.min(max, Number(sec.addr + BigInt(sec.size) - va));
    const b = this.elf.read(sec.offset + Number(va - sec.addr), avail);
    const end = b.indexOf(0);
    return b.toString('latin1', 0, end < 0 ? b.length : end);
  }

  /** The "Linux version …" string exactly as compiled in. */
  get banner(): string {
    const s = this.readLinkString(this.symbol('linux_banner'));
    if (s === undefined) throw new InputError(this.path, 'cannot read linux_banner from the file');
    return s;
  }

  /**
   * CONFIG_IKCONFIG: kernel_config_data holds "IKCFG_ST" + gzip(.config) + "IKCFG_ED" (kernel/configs.c).
   * Returns undefined when the image carries no config.
   */
  get config(): Map<string, string> | undefined {
    if (this.configCache !== undefined) return this.configCache ?? undefined;
    this.configCache = null;
    const start = this.symbols.get('kernel_config_data');
    const end = this.symbols.get('kernel_config_data_end');
    if (!start) return undefined;
    const len = end ? Number(end.address - start.address) : start.size;
    if (!len || len > 16 << 20) return undefined;
    const raw = this.readLink(start.address, len);
    if (!raw) return undefined;
    const st = raw.indexOf('IKCFG_ST');
    const gz = st >= 0 ? raw.subarray(st + 8) : raw;
    try {
      const text = gunzipSync(gz.subarray(0, gz.lastIndexOf('IKCFG_ED') > 0 ? gz.lastIndexOf('IKCFG_ED') : gz.length)).toString('latin1');
      this.configCache = parseKconfig(text);
    } catch {
      this.configCache = null;
    }
    return this.configCache ?? undefined;
  }
}

export function parseKconfig(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (eq) m.set(eq[1]!, eq[2]!.replace(/^"(.*)"$/, '$1'));
    const unset = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(line);
    if (unset) m.set(unset[1]!, 'n');
  }
  return m;
}
