/**
 * Memory cgroup of a page as page_owner prints it (mm/page_owner.c print_page_owner_memcg()):
 * "Slab cache page" for slab pages, else "Charged [(via objcg) ]to [offline ]memcg <name>".
 * Flag values come from enum page_memcg_data_flags (MEMCG_DATA_OBJCGS renamed MEMCG_DATA_OBJEXTS
 * in 6.10) and the low-bit mask from __NR_MEMCG_DATA_FLAGS / __NR_OBJEXTS_FLAGS.
 */
import type { Kernel } from '../kernel/kernel.js';

const CGROUP_NAME_BUF = 80;

export class MemcgNames {
  private readonly objFlag: bigint;
  private readonly kmemFlag: bigint;
  private readonly flagsMask: bigint;
  /** ≥6.10 code treats every non-slab memcg_data as an obj_cgroup pointer. */
  private readonly alwaysObjcg: boolean;
  private readonly cssOnline: bigint;
  private readonly cache = new Map<bigint, string>();

  constructor(private readonly kernel: Kernel) {
    const objexts = kernel.enumValue('MEMCG_DATA_OBJEXTS');
    this.objFlag = objexts ?? kernel.enumValue('MEMCG_DATA_OBJCGS') ?? 1n;
    this.kmemFlag = kernel.enumValue('MEMCG_DATA_KMEM') ?? 2n;
    const nr = kernel.enumValue('__NR_OBJEXTS_FLAGS') ?? kernel.enumValue('__NR_MEMCG_DATA_FLAGS') ?? 4n;
    this.flagsMask = nr - 1n;
    this.alwaysObjcg = objexts !== undefined;
    this.cssOnline = kernel.enumValue('CSS_ONLINE') ?? 2n;
  }

  /**
   * Pages whose memcg the 6.10+ code path cannot reach: it reads any non-slab memcg_data as an
   * obj_cgroup, and for user pages (memcg_data = the mem_cgroup itself) that dereferences garbage —
   * the live kernel faults in print_page_owner() there (seen on 6.12.117). These get the line kernels
   * with page_memcg_check() print.
   */
  unreachableViaObjcg = 0;

  pageOwnerLines(memcgData: bigint): string {
    if (memcgData === 0n) return '';
    if (memcgData & this.objFlag) return 'Slab cache page\n';
    const ptr = memcgData & ~this.flagsMask;
    const kmem = (memcgData & this.kmemFlag) !== 0n;
    try {
      if (this.alwaysObjcg && !kmem) {
        try {
          const viaObjcg = this.objcgMemcg(ptr);
          return viaObjcg === 0n ? '' : this.line(viaObjcg, kmem);
        } catch {
          this.unreachableViaObjcg++;
        }
      }
      // page_memcg_check(): kmem pages point at an obj_cgroup, others at the mem_cgroup itself.
      const memcg = kmem ? this.objcgMemcg(ptr) : ptr;
      return memcg === 0n ? '' : this.line(memcg, kmem);
    } catch (e) {
      this.kernel.warn(`memcg of a page unreadable (${(e as Error).message}); its "Charged" line is omitted`);
      return '';
    }
  }

  /** obj_cgroup_memcg(). */
  private objcgMemcg(objcg: bigint): bigint {
    return objcg === 0n ? 0n : this.kernel.readPointer(objcg + BigInt(this.kernel.offsetof('struct obj_cgroup', 'memcg')));
  }

  private line(memcg: bigint, kmem: boolean): string {
    const key = memcg * 4n + (kmem ? 1n : 0n);
    let line = this.cache.get(key);
    if (line === undefined) {
      line = this.describe(memcg, kmem);
      this.cache.set(key, line);
    }
    return line;
  }

  private describe(memcg: bigint, kmem: boolean): string {
    const k = this.kernel;
    const css = memcg + BigInt(k.offsetof('struct mem_cgroup', 'css'));
    const flags = BigInt(k.readU32(css + BigInt(k.offsetof('struct cgroup_subsys_state', 'flags'))));
    const online = (flags & this.cssOnline) !== 0n;
    const cgroup = k.readPointer(css + BigInt(k.offsetof('struct cgroup_subsys_state', 'cgroup')));
    const name = this.cgroupName(cgroup);
    return `Charged ${kmem ? '(via objcg) ' : ''}to ${online ? '' : 'offline '}memcg ${name}\n`;
  }

  /** cgroup_name() → kernfs_name(): "/" for the root, "(null)" without a kernfs node. */
  private cgroupName(cgroup: bigint): string {
    const k = this.kernel;
    const kn = k.readPointer(cgroup + BigInt(k.offsetof('struct cgroup', 'kn')));
    if (kn === 0n) return '(null)';
    const parentField = k.hasMember('struct kernfs_node', 'parent') ? 'parent' : '__parent';
    const parent = k.readPointer(kn + BigInt(k.offsetof('struct kernfs_node', parentField)));
    if (parent === 0n) return '/';
    const namePtr = k.readPointer(kn + BigInt(k.offsetof('struct kernfs_node', 'name')));
    return k.readCString(namePtr, CGROUP_NAME_BUF - 1);
  }
}
