/**
 * The kernel model plugins see: symbols at their runtime (KASLR) addresses, virtual memory reads,
 * typed object views, list/percpu helpers, release and feature questions.
 * Plugins never see files or physical offsets.
 */
import { gunzipSync } from 'node:zlib';
import type { KernelArch } from '../arch/kernel-arch.js';
import type { LocatedKernel } from '../arch/locate.js';
import type { VmcoreInfo } from '../arch/vmcoreinfo.js';
import type { OpenedDump } from '../dump/types.js';
import type { PhysicalMemory } from '../dump/physical-memory.js';
import { parseKconfig, type Vmlinux } from '../symbols/vmlinux.js';
import type { CType, TypeRegistry } from '../types/ctype.js';
import { strip, TypeLayout } from '../types/layout.js';
import { RamparseError } from '../util/errors.js';
import { log } from '../util/log.js';
import { KObject } from './object.js';

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export class Kernel {
  readonly types: TypeLayout;
  readonly arch: KernelArch;
  readonly memory: PhysicalMemory;
  readonly release: string;
  readonly version: KernelVersion;
  readonly warnings: string[] = [];
  /** How this kernel was opened (set by openKernel), so a worker thread can open the same dump. */
  openRequest: import('./open.js').OpenKernelRequest | undefined;
  private configCache: Map<string, string> | null | undefined;
  private percpuOffsetsCache: bigint[] | undefined;
  private readonly pageSizeN: bigint;

  constructor(
    readonly vmlinux: Vmlinux,
    readonly located: LocatedKernel,
    registry: TypeRegistry,
    readonly dump: OpenedDump,
  ) {
    this.types = new TypeLayout(registry);
    this.arch = located.arch;
    this.memory = located.memory;
    const m = /^Linux version (\S+)/.exec(located.banner);
    this.release = m ? m[1]! : 'unknown';
    const v = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(this.release);
    this.version = { major: Number(v?.[1] ?? 0), minor: Number(v?.[2] ?? 0), patch: Number(v?.[3] ?? 0) };
    this.pageSizeN = BigInt(this.arch.pageSize);
  }

  get vmcoreinfo(): VmcoreInfo | undefined {
    return this.located.vmcoreinfo;
  }

  get pageSize(): number {
    return this.arch.pageSize;
  }

  get pageShift(): number {
    return this.arch.pageShift;
  }

  get kaslrOffset(): bigint {
    return this.arch.params.kaslrOffset;
  }

  /** Record something skipped or suspicious: shown on stderr and in reports' "skipped" notes. */
  warn(message: string): void {
    this.warnings.push(message);
    log().warn(message);
  }

  /** True when the kernel is at least major.minor (only for choosing print formats). */
  versionAtLeast(major: number, minor: number, patch = 0): boolean {
    const v = this.version;
    return v.major !== major ? v.major > major : v.minor !== minor ? v.minor > minor : v.patch >= patch;
  }

  // ---- symbols -------------------------------------------------------------------------------

  hasSymbol(name: string): boolean {
    return this.vmlinux.symbols.has(name);
  }

  /** Runtime address of a symbol (link address + KASLR offset). */
  symbol(name: string): bigint {
    const link = this.vmlinux.symbols.address(name);
    if (link === undefined) throw new RamparseError(`symbol ${name} not found in ${this.vmlinux.path}`);
    return (link + this.kaslrOffset) & 0xffffffffffffffffn;
  }

  trySymbol(name: string): bigint | undefined {
    const link = this.vmlinux.symbols.address(name);
    return link === undefined ? undefined : (link + this.kaslrOffset) & 0xffffffffffffffffn;
  }

  // ---- memory --------------------------------------------------------------------------------

  /** Physical address of a kernel virtual address. */
  virtToPhys(va: bigint): bigint {
    return this.arch.translate(va);
  }

  read(va: bigint, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    this.readInto(va, out, 0, length);
    return out;
  }

  /**
   * Virtual read, translated page by page; runs of physically contiguous pages (vmemmap and the
   * direct map are usually block-mapped) become one physical read.
   */
  readInto(va: bigint, target: Buffer, targetOffset: number, length: number): void {
    const ps = this.arch.pageSize;
    let done = 0;
    let runPa = 0n;
    let runStart = 0;
    let runLen = 0;
    while (done < length) {
      const cur = va + BigInt(done);
      const inPage = Number(cur & (this.pageSizeN - 1n));
      const n = Math.min(length - done, ps - inPage);
      const pa = this.arch.translate(cur);
      if (runLen > 0 && pa === runPa + BigInt(runLen)) {
        runLen += n;
      } else {
        if (runLen > 0) this.memory.readInto(runPa, target, targetOffset + runStart, runLen);
        runPa = pa;
        runStart = done;
        runLen = n;
      }
      done += n;
    }
    if (runLen > 0) this.memory.readInto(runPa, target, targetOffset + runStart, runLen);
  }

  tryRead(va: bigint, length: number): Buffer | undefined {
    try {
      return this.read(va, length);
    } catch (e) {
      if (e instanceof RamparseError) return undefined;
      throw e;
    }
  }

  readU8(va: bigint): number {
    return this.read(va, 1)[0]!;
  }
  readU16(va: bigint): number {
    return this.read(va, 2).readUInt16LE(0);
  }
  readU32(va: bigint): number {
    return this.read(va, 4).readUInt32LE(0);
  }
  readS32(va: bigint): number {
    return this.read(va, 4).readInt32LE(0);
  }
  readU64(va: bigint): bigint {
    return this.read(va, 8).readBigUInt64LE(0);
  }
  readS64(va: bigint): bigint {
    return this.read(va, 8).readBigInt64LE(0);
  }
  /** A kernel pointer, with tag/PAC bits normalised. 0 stays 0. */
  readPointer(va: bigint): bigint {
    const v = this.readU64(va);
    return v === 0n ? 0n : this.arch.canonical(v);
  }

  /** A NUL-terminated string of at most max bytes (reads page by page, stops at the NUL). */
  readCString(va: bigint, max = 256): string {
    const parts: Buffer[] = [];
    let cur = va;
    let left = max;
    while (left > 0) {
      const inPage = Number(cur & (this.pageSizeN - 1n));
      const n = Math.min(left, this.arch.pageSize - inPage);
      const b = this.read(cur, n);
      const z = b.indexOf(0);
      if (z >= 0) {
        parts.push(b.subarray(0, z));
        break;
      }
      parts.push(b);
      cur += BigInt(n);
      left -= n;
    }
    return Buffer.concat(parts).toString('latin1');
  }

  // ---- types ---------------------------------------------------------------------------------

  sizeof(type: string | CType): number {
    return this.types.sizeof(type);
  }

  offsetof(type: string, member: string): number {
    return this.types.offsetof(type, member);
  }

  hasType(name: string): boolean {
    return this.types.find(name) !== undefined;
  }

  hasMember(type: string, member: string): boolean {
    return this.types.hasMember(type, member);
  }

  enumValue(name: string): bigint | undefined {
    return this.types.enumValue(name);
  }

  /** A typed view of the object at va (struct/union name in C spelling). Reads lazily. */
  object(type: string | CType, va: bigint): KObject {
    const t = typeof type === 'string' ? this.types.type(type) : type;
    return new KObject(this, t, va);
  }

  /** A typed view of a global variable: `kernel.variable('init_task', 'struct task_struct')`. */
  variable(name: string, type?: string): KObject {
    const t = type ? this.types.type(type) : this.types.registry.variableType(name);
    if (!t) throw new RamparseError(`no type known for variable ${name}; pass its type`);
    return new KObject(this, t, this.symbol(name));
  }

  // ---- lists ---------------------------------------------------------------------------------

  /**
   * list_for_each_entry: yields the address of each containing object. Stops with a warning on a
   * cycle that does not pass through the head, on an unreadable link, or after `limit` entries.
   */
  *listForEach(head: bigint, type: string, member: string, opts: { limit?: number; what?: string } = {}): Generator<bigint> {
    const off = BigInt(this.offsetof(type, member));
    const nextOff = BigInt(this.offsetof('struct list_head', 'next'));
    const limit = opts.limit ?? 10_000_000;
    const what = opts.what ?? `${type}.${member} list at 0x${head.toString(16)}`;
    const seen = new Set<bigint>();
    let next: bigint;
    try {
      next = this.readPointer(head + nextOff);
    } catch (e) {
      this.warn(`${what}: cannot read list head (${(e as Error).message}); list skipped`);
      return;
    }
    let count = 0;
    while (next !== head) {
      if (next === 0n) {
        this.warn(`${what}: NULL link after ${count} entries; rest of the list skipped`);
        return;
      }
      if (seen.has(next)) {
        this.warn(`${what}: cycle after ${count} entries that does not return to the head; stopped`);
        return;
      }
      if (count >= limit) {
        this.warn(`${what}: more than ${limit} entries; stopped`);
        return;
      }
      seen.add(next);
      yield next - off;
      count++;
      try {
        next = this.readPointer(next + nextOff);
      } catch (e) {
        this.warn(`${what}: unreadable link after ${count} entries (${(e as Error).message}); rest skipped`);
        return;
      }
    }
  }

  // ---- per-cpu -------------------------------------------------------------------------------

  /** __per_cpu_offset[] for each possible CPU (UP kernels: one CPU at offset 0). */
  percpuOffsets(): bigint[] {
    if (this.percpuOffsetsCache) return this.percpuOffsetsCache;
    const arr = this.trySymbol('__per_cpu_offset');
    if (arr === undefined) {
      this.percpuOffsetsCache = [0n];
      return this.percpuOffsetsCache;
    }
    const nr = this.nrCpuIds();
    const offs: bigint[] = [];
    for (let cpu = 0; cpu < nr; cpu++) offs.push(this.readU64(arr + BigInt(cpu * 8)));
    this.percpuOffsetsCache = offs;
    return offs;
  }

  /** nr_cpu_ids (falls back to NR_CPUS-sized __per_cpu_offset). */
  nrCpuIds(): number {
    const sym = this.trySymbol('nr_cpu_ids');
    if (sym !== undefined) {
      const n = this.readU32(sym);
      if (n > 0 && n <= 65536) return n;
    }
    const info = this.vmlinux.symbols.get('__per_cpu_offset');
    return info && info.size ? info.size / 8 : 1;
  }

  /** CPUs set in cpu_possible_mask / cpu_online_mask ('possible' | 'online'). */
  cpus(which: 'possible' | 'online' = 'possible'): number[] {
    const nr = this.nrCpuIds();
    const sym = this.trySymbol(which === 'possible' ? '__cpu_possible_mask' : '__cpu_online_mask') ?? this.trySymbol(`cpu_${which}_mask`);
    if (sym === undefined) return Array.from({ length: nr }, (_, i) => i);
    const words = this.read(sym, Math.ceil(nr / 64) * 8);
    const out: number[] = [];
    for (let cpu = 0; cpu < nr; cpu++) {
      const w = words.readBigUInt64LE(Math.floor(cpu / 64) * 8);
      if ((w >> BigInt(cpu % 64)) & 1n) out.push(cpu);
    }
    return out;
  }

  /** Address of a per-cpu variable (or per-cpu pointer value) for one CPU. */
  percpu(address: bigint, cpu: number): bigint {
    const off = this.percpuOffsets()[cpu];
    if (off === undefined) throw new RamparseError(`cpu ${cpu} has no per-cpu offset`);
    return (address + off) & 0xffffffffffffffffn;
  }

  // ---- config --------------------------------------------------------------------------------

  /**
   * Kernel config: the IKCONFIG copy in the dump's memory (kernel_config_data), else the one in the
   * vmlinux file. Undefined when the kernel was built without CONFIG_IKCONFIG.
   */
  get config(): Map<string, string> | undefined {
    if (this.configCache !== undefined) return this.configCache ?? undefined;
    this.configCache = this.readInDumpConfig() ?? this.vmlinux.config ?? null;
    return this.configCache ?? undefined;
  }

  /** CONFIG_X value ('y', 'm', a number or string), or undefined when unknown/unset. */
  configValue(name: string): string | undefined {
    const v = this.config?.get(name.startsWith('CONFIG_') ? name : `CONFIG_${name}`);
    return v === 'n' ? undefined : v;
  }

  private readInDumpConfig(): Map<string, string> | undefined {
    const start = this.trySymbol('kernel_config_data');
    const endSym = this.trySymbol('kernel_config_data_end');
    if (start === undefined || endSym === undefined) return undefined;
    const len = Number(endSym - start);
    if (len <= 0 || len > 16 << 20) return undefined;
    const raw = this.tryRead(start, len);
    if (!raw) return undefined;
    const st = raw.indexOf('IKCFG_ST');
    const ed = raw.lastIndexOf('IKCFG_ED');
    try {
      return parseKconfig(gunzipSync(raw.subarray(st >= 0 ? st + 8 : 0, ed > 0 ? ed : raw.length)).toString('latin1'));
    } catch {
      return undefined;
    }
  }

  /** Integer value of a global variable of an integer type, sized by its type when known. */
  readVariableInt(name: string, fallbackSize: 1 | 2 | 4 | 8 = 8): bigint {
    const t = this.types.registry.variableType(name);
    const addr = this.symbol(name);
    const s = t ? strip(t) : undefined;
    const size = s && (s.kind === 'int' || s.kind === 'enum' || s.kind === 'pointer') ? s.size : fallbackSize;
    const signed = s?.kind === 'int' ? s.signed : s?.kind === 'enum' ? s.signed : false;
    const b = this.read(addr, size);
    switch (size) {
      case 1:
        return BigInt(signed ? b.readInt8(0) : b.readUInt8(0));
      case 2:
        return BigInt(signed ? b.readInt16LE(0) : b.readUInt16LE(0));
      case 4:
        return BigInt(signed ? b.readInt32LE(0) : b.readUInt32LE(0));
      default:
        return signed ? b.readBigInt64LE(0) : b.readBigUInt64LE(0);
    }
  }
}
