/**
 * Find the kernel in a dump without help: KASLR offset, where the image sits physically, page geometry,
 * and (for raw images given without a base) the image's own physical base. In this order:
 *
 *   1. a VMCOREINFO note (ELF vmcore with -device vmcoreinfo, kdump sub-header);
 *   2. the vmcoreinfo text the kernel keeps in its own memory, found by scanning;
 *   3. arm64: read kimage_voffset / memstart_addr next to the banner; x86_64: read phys_base next
 *      to the banner (the image is contiguous in physical memory, so once linux_banner is found every
 *      other image variable is at a known distance from it, whatever KASLR did);
 *
 * and always verified by reading linux_banner through the page tables and comparing it with the
 * vmlinux's own string. --kaslr-offset / --phys-offset override what was found.
 */
import type { OpenedDump } from '../dump/types.js';
import type { PhysicalMemory } from '../dump/physical-memory.js';
import { InputError, NotInDumpError, RamparseError, TranslationError } from '../util/errors.js';
import { hex } from '../util/hex.js';
import type { Vmlinux } from '../symbols/vmlinux.js';
import { Arm64Arch } from './arm64.js';
import type { DetectionMethod, KernelArch } from './kernel-arch.js';
import { scanPhysical } from './scan.js';
import { VmcoreInfo } from './vmcoreinfo.js';
import { PAGE_OFFSET_L4, PAGE_OFFSET_L5, START_KERNEL_MAP, X86_64Arch } from './x86_64.js';

export interface LocateOptions {
  readonly kaslrOffset?: bigint;
  /** arm64 PHYS_OFFSET (memstart_addr) or x86_64 phys_base. */
  readonly physOffset?: bigint;
}

export interface LocatedKernel {
  readonly arch: KernelArch;
  /** The dump's memory, rebased when the image was given without a base. */
  readonly memory: PhysicalMemory;
  readonly vmcoreinfo?: VmcoreInfo;
  readonly detectedBy: Readonly<Record<string, DetectionMethod>>;
  /** linux_banner as read from the dump through the page tables. */
  readonly banner: string;
}

const MASK64 = (1n << 64n) - 1n;
const u64 = (v: bigint) => v & MASK64;
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const SZ_2M = 0x200000n;

interface Candidate {
  readonly memory: PhysicalMemory;
  readonly kaslr: bigint;
  /** arm64: kimage_voffset; x86_64: phys_base. */
  readonly imageDelta: bigint;
  readonly physOffset?: bigint;
  readonly how: DetectionMethod;
  readonly baseHow?: DetectionMethod;
}

export function locateKernel(dump: OpenedDump, vmlinux: Vmlinux, opts: LocateOptions = {}): LocatedKernel {
  const vmBanner = vmlinux.banner;
  if (dump.machine && dump.machine !== vmlinux.arch) {
    const found = findAnyBanner(dump.memory);
    throw mismatch(dump, vmlinux, found ?? `an ${dump.machine} kernel`);
  }

  // 1-2: VMCOREINFO from the container, else from memory.
  let info: VmcoreInfo | undefined;
  let infoHow: DetectionMethod | undefined;
  if (dump.vmcoreinfo && VmcoreInfo.looksValid(dump.vmcoreinfo)) {
    info = new VmcoreInfo(dump.vmcoreinfo);
    infoHow = 'note';
  } else {
    const found = findVmcoreinfoInMemory(dump.memory, vmlinux);
    if (found) {
      info = found;
      infoHow = 'scan';
    }
  }
  if (info?.osRelease && !vmBanner.includes(` ${info.osRelease} `)) {
    throw mismatch(dump, vmlinux);
  }

  const bannerLink = vmlinux.symbol('linux_banner');
  const candidates: Candidate[] = [];
  const detectedBy: Record<string, DetectionMethod> = {};
  if (info && infoHow) {
    const c = candidateFromVmcoreinfo(dump, vmlinux, info, infoHow, opts);
    if (c) candidates.push(...c);
  }
  if (candidates.length === 0) {
    candidates.push(...candidatesFromBanner(dump, vmlinux, opts));
  }
  if (candidates.length === 0) {
    if (!findBannerInDump(dump.memory, vmBanner)) throw mismatch(dump, vmlinux);
    throw new RamparseError(`${dump.files.join(', ')}: found the kernel banner but could not derive the KASLR offset; pass --kaslr-offset (and --phys-offset)`);
  }

  let lastError: Error | undefined;
  for (const c of candidates) {
    let arch: KernelArch;
    try {
      arch = buildArch(vmlinux, c, info);
    } catch (e) {
      lastError = e as Error;
      continue;
    }
    const runtimeBanner = bannerLink + c.kaslr;
    let got: string;
    try {
      const pa = arch.translate(runtimeBanner);
      got = c.memory.read(pa, vmBanner.length).toString('latin1');
    } catch (e) {
      lastError = e as Error;
      continue;
    }
    if (got !== vmBanner) {
      lastError = mismatch(dump, vmlinux);
      continue;
    }
    detectedBy.kaslrOffset = opts.kaslrOffset !== undefined ? 'override' : c.how;
    detectedBy.physBase = opts.physOffset !== undefined ? 'override' : c.how;
    detectedBy.memoryRanges = dump.baseKnown ? (dump.format === 'elf' || dump.format === 'kdump' ? 'note' : 'override') : (c.baseHow ?? 'search');
    detectedBy.pageSize = info?.pageSize ? (infoHow as DetectionMethod) : vmlinux.config ? 'symbol' : 'default';
    return { arch, memory: c.memory, vmcoreinfo: info, detectedBy, banner: got };
  }
  if (opts.kaslrOffset !== undefined || opts.physOffset !== undefined) {
    const given = [opts.kaslrOffset !== undefined ? `--kaslr-offset ${hex(opts.kaslrOffset)}` : '', opts.physOffset !== undefined ? `--phys-offset ${hex(opts.physOffset)}` : '']
      .filter(Boolean)
      .join(' and ');
    const why = lastError instanceof InputError && lastError.message.includes('does not match') ? 'linux_banner there is not the vmlinux\'s' : lastError?.message ?? 'no candidate';
    throw new RamparseError(`${dump.files.join(', ')}: with ${given} the kernel is not where they say (${why}); check the values, or leave them out to detect them`);
  }
  if (lastError instanceof TranslationError || lastError instanceof NotInDumpError) {
    throw new RamparseError(
      `${dump.files.join(', ')}: cannot read linux_banner through the dump's kernel page tables (${lastError.message}); the dump may be truncated or its page tables damaged`,
    );
  }
  throw lastError ?? mismatch(dump, vmlinux);
}

function mismatch(dump: OpenedDump, vmlinux: Vmlinux, dumpDesc?: string): InputError {
  const dumpBanner = dumpDesc ?? findAnyBanner(dump.memory) ?? 'no Linux banner';
  return new InputError(
    vmlinux.path,
    `vmlinux does not match dump: dump has '${oneLine(dumpBanner)}', vmlinux has '${oneLine(vmlinux.banner)}'`,
  );
}

function oneLine(s: string): string {
  return s.replace(/\s+$/, '').replace(/\n/g, ' ');
}

/**
 * The dump's own "Linux version …" banner (for the mismatch message): a complete one ("#<n> …",
 * ending in "\n\0" like linux_banner) if there is one, else the first such line anywhere. (6.1+ images
 * also hold a placeholder "… # SMP" string from init/version.c.)
 */
function findAnyBanner(memory: PhysicalMemory): string | undefined {
  const needle = Buffer.from('Linux version ');
  let first: string | undefined;
  for (const pa of scanPhysical(memory, needle, { maxHits: 64 })) {
    let b: Buffer;
    try {
      b = memory.read(pa, Math.min(400, Number(memory.end - pa)));
    } catch {
      continue;
    }
    const nl = b.indexOf('\n');
    const text = b.toString('latin1', 0, nl > 0 ? nl : Math.min(200, b.length));
    if (nl > 0 && b[nl + 1] === 0 && /\) #\d+ /.test(text)) return text;
    first ??= text.replace(/\0.*$/s, '');
  }
  return first;
}

function findBannerInDump(memory: PhysicalMemory, banner: string): boolean {
  for (const _ of scanPhysical(memory, Buffer.from(banner + '\0', 'latin1'), { maxHits: 1 })) return true;
  return false;
}

/**
 * The kernel keeps vmcoreinfo in a zeroed page (vmcoreinfo_data) and again inside the ELF note
 * buffer (vmcoreinfo_note). Either copy starts with "OSRELEASE=<release>\n".
 */
function findVmcoreinfoInMemory(memory: PhysicalMemory, vmlinux: Vmlinux): VmcoreInfo | undefined {
  const needle = Buffer.from('OSRELEASE=');
  let best: VmcoreInfo | undefined;
  for (const pa of scanPhysical(memory, needle, { maxHits: 64 })) {
    let text: string;
    try {
      const b = memory.read(pa, Math.min(4096, Number(memory.end - pa)));
      const end = b.indexOf(0);
      text = b.toString('latin1', 0, end < 0 ? b.length : end);
    } catch {
      continue;
    }
    if (!VmcoreInfo.looksValid(text)) continue;
    const vi = new VmcoreInfo(text);
    const wantRelease = vi.osRelease && vmlinux.banner.includes(` ${vi.osRelease} `);
    if (vi.kernelOffset !== undefined && wantRelease) return vi;
    if (!best && vi.kernelOffset !== undefined) best = vi;
  }
  return best;
}

/** Physical address of linux_banner implied by the image delta (arch-specific). */
function bannerPhys(vmlinux: Vmlinux, kaslr: bigint, imageDelta: bigint): bigint {
  const link = vmlinux.symbol('linux_banner');
  return vmlinux.arch === 'arm64' ? u64(link + kaslr - imageDelta) : u64(link + kaslr - START_KERNEL_MAP + imageDelta);
}

function candidateFromVmcoreinfo(dump: OpenedDump, vmlinux: Vmlinux, info: VmcoreInfo, how: DetectionMethod, opts: LocateOptions): Candidate[] | undefined {
  let kaslr = opts.kaslrOffset ?? info.kernelOffset;
  if (kaslr === undefined) {
    const stext = info.symbol('_stext');
    const link = vmlinux.symbols.address('_stext');
    if (stext !== undefined && link !== undefined) kaslr = u64(stext - link);
  }
  if (kaslr === undefined) return undefined;
  let imageDelta: bigint | undefined;
  let physOffset: bigint | undefined;
  if (vmlinux.arch === 'arm64') {
    imageDelta = info.number('kimage_voffset');
    physOffset = opts.physOffset ?? info.number('PHYS_OFFSET');
  } else {
    imageDelta = opts.physOffset ?? info.number('phys_base');
    physOffset = 0n;
  }
  if (imageDelta === undefined) return undefined;
  const pa = bannerPhys(vmlinux, kaslr, imageDelta);
  const out: Candidate[] = [];
  if (dump.baseKnown) {
    out.push({ memory: dump.memory, kaslr, imageDelta, physOffset, how });
    return out;
  }
  // Raw image without a base: the banner's physical address is known, so each place the banner
  // occurs in the file proposes a base; PHYS_OFFSET (arm64) or 0 (x86_64) first.
  const needle = Buffer.from(vmlinux.banner + '\0', 'latin1');
  const preferred = vmlinux.arch === 'arm64' && physOffset !== undefined ? physOffset : 0n;
  const bases: bigint[] = [];
  for (const off of scanPhysical(dump.memory, needle, { maxHits: 32 })) {
    const base = pa - off;
    if (base < 0n || base % 4096n !== 0n) continue;
    if (base === preferred) bases.unshift(base);
    else bases.push(base);
  }
  for (const base of bases) {
    out.push({ memory: dump.memory.rebased(base), kaslr, imageDelta, physOffset, how, baseHow: 'search' });
  }
  return out;
}

/** Method 3: find the banner physically, then read the image variables at fixed distances from it. */
function candidatesFromBanner(dump: OpenedDump, vmlinux: Vmlinux, opts: LocateOptions): Candidate[] {
  const needle = Buffer.from(vmlinux.banner + '\0', 'latin1');
  const bannerLink = vmlinux.symbol('linux_banner');
  const out: Candidate[] = [];
  const readImageVar = (memory: PhysicalMemory, bannerPa: bigint, name: string): bigint | undefined => {
    const link = vmlinux.symbols.address(name);
    if (link === undefined) return undefined;
    try {
      return memory.read(u64(bannerPa + (link - bannerLink)), 8).readBigUInt64LE(0);
    } catch {
      return undefined;
    }
  };
  for (const off of scanPhysical(dump.memory, needle, { maxHits: 32 })) {
    if (vmlinux.arch === 'arm64') {
      // The image is 2M-aligned physically and virtually, so the banner keeps its offset mod 2M.
      if ((off - bannerLink) % 4096n !== 0n && dump.baseKnown) continue;
      const kv = readImageVar(dump.memory, off, 'kimage_voffset');
      const memstart = opts.physOffset ?? readImageVar(dump.memory, off, 'memstart_addr');
      if (kv === undefined || memstart === undefined) continue;
      const base = dump.baseKnown ? 0n : s64(memstart);
      const memory = dump.baseKnown ? dump.memory : dump.memory.rebased(base);
      const bannerPa = off + base;
      const kaslr = opts.kaslrOffset ?? u64(kv + bannerPa - bannerLink);
      if (opts.kaslrOffset === undefined && kaslr % 0x10000n !== 0n) continue;
      out.push({ memory, kaslr, imageDelta: kv, physOffset: s64(memstart), how: 'search', baseHow: 'search' });
    } else {
      const pb = opts.physOffset ?? readImageVar(dump.memory, off, 'phys_base');
      if (pb === undefined) continue;
      const kaslr = opts.kaslrOffset ?? u64(off - (bannerLink - START_KERNEL_MAP) - pb);
      if (opts.kaslrOffset === undefined && (s64(kaslr) < 0n || kaslr % SZ_2M !== 0n || kaslr >= 1n << 31n)) continue;
      out.push({ memory: dump.memory, kaslr, imageDelta: pb, physOffset: 0n, how: 'search', baseHow: 'default' });
    }
  }
  return out;
}

function buildArch(vmlinux: Vmlinux, c: Candidate, info: VmcoreInfo | undefined): KernelArch {
  const cfg = vmlinux.config;
  const imageVarPhys = (name: string): bigint | undefined => {
    const link = vmlinux.symbols.address(name);
    if (link === undefined) return undefined;
    return vmlinux.arch === 'arm64' ? u64(link + c.kaslr - c.imageDelta) : u64(link + c.kaslr - START_KERNEL_MAP + c.imageDelta);
  };
  const readVar = (name: string, size: 4 | 8 = 8): bigint | undefined => {
    const pa = imageVarPhys(name);
    if (pa === undefined) return undefined;
    const b = c.memory.read(pa, size);
    return size === 8 ? b.readBigUInt64LE(0) : BigInt(b.readUInt32LE(0));
  };
  const text = vmlinux.symbol('_text');
  const imagePhys = imageVarPhys('_text')!;

  if (vmlinux.arch === 'x86_64') {
    const l5 = info?.number('pgtable_l5_enabled') ?? readVar('__pgtable_l5_enabled', 4) ?? 0n;
    const levels: 4 | 5 = l5 ? 5 : 4;
    const top = imageVarPhys('init_top_pgt') ?? imageVarPhys('init_level4_pgt');
    if (top === undefined) throw new InputError(vmlinux.path, 'no init_top_pgt symbol');
    const pageOffset = readVar('page_offset_base') ?? (levels === 5 ? PAGE_OFFSET_L5 : PAGE_OFFSET_L4);
    void text;
    return new X86_64Arch(
      { pageShift: 12, vaBits: levels === 5 ? 56 : 47, pageOffset, kaslrOffset: c.kaslr, imagePhys, physOffset: 0n, physBase: c.imageDelta, levels, topPhys: top },
      c.memory,
    );
  }

  // arm64
  const pageSize = info?.pageSize ?? (cfg?.get('CONFIG_ARM64_PAGE_SHIFT') ? 1 << Number(cfg.get('CONFIG_ARM64_PAGE_SHIFT')) : undefined) ?? arm64PageSizeFromSymbols(vmlinux);
  const pageShift = Math.log2(pageSize);
  let vaBits: number | undefined;
  const t1sz = info?.number('TCR_EL1_T1SZ');
  if (t1sz !== undefined) vaBits = 64 - Number(t1sz);
  vaBits ??= info?.number('VA_BITS') !== undefined ? Number(info.number('VA_BITS')) : undefined;
  if (vaBits === undefined) {
    const actual = readVar('vabits_actual');
    if (actual && actual > 30n && actual <= 52n) vaBits = Number(actual);
  }
  vaBits ??= cfg?.get('CONFIG_ARM64_VA_BITS') ? Number(cfg.get('CONFIG_ARM64_VA_BITS')) : undefined;
  vaBits ??= vaBitsFromImageAddress(text);
  const physOffset = c.physOffset ?? readVar('memstart_addr') ?? 0n;
  const pgd = imageVarPhys('swapper_pg_dir');
  if (pgd === undefined) throw new InputError(vmlinux.path, 'no swapper_pg_dir symbol');
  const pageOffset = u64(-(1n << BigInt(vaBits)));
  return new Arm64Arch(
    { pageShift, vaBits, pageOffset, kaslrOffset: c.kaslr, imagePhys, physOffset: s64(physOffset), kimageVoffset: c.imageDelta, pgdPhys: pgd },
    c.memory,
  );
}

/** _text = KIMAGE_VADDR = _PAGE_END(VA_BITS_MIN) + modules area: 65 − (leading one bits) = VA bits. */
function vaBitsFromImageAddress(text: bigint): number {
  let ones = 0;
  for (let bit = 63n; bit >= 0n && ((text >> bit) & 1n) === 1n; bit--) ones++;
  return 65 - ones;
}

/** swapper_pg_dir is one page long; its neighbours in the linker script tell the page size. */
function arm64PageSizeFromSymbols(vmlinux: Vmlinux): number {
  const pgd = vmlinux.symbols.address('swapper_pg_dir');
  const end = vmlinux.symbols.address('swapper_pg_end');
  if (pgd !== undefined && end !== undefined) {
    const d = Number(end - pgd);
    if (d === 4096 || d === 16384 || d === 65536) return d;
  }
  return 4096;
}
