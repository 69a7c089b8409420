/**
 * SLUB state (mm/slub.c, mm/slab.h, mm/slab_common.c): caches on slab_caches, per-node counters and
 * partial lists, per-cpu slabs and freelists, objects of a slab.
 *
 * struct slab (5.17+) overlays struct page; before 5.17 the same fields live in struct page, so the
 * "slab type" is whichever exists and members are read by name. Freelist pointers may be hardened
 * (CONFIG_SLAB_FREELIST_HARDENED, detected by kmem_cache.random): stored = ptr ^ random ^ swab(addr)
 * since 5.7, ptr ^ random ^ addr before; the variant is chosen per cache by which one decodes to
 * pointers inside the slab.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { KObject } from '../kernel/object.js';
import { MemoryModel } from './memory-model.js';

/** OO_SHIFT / OO_MASK (mm/slub.c): order in the high bits, objects in the low 16. */
const OO_SHIFT = 16;
const OO_MASK = (1 << OO_SHIFT) - 1;
/** count_partial_free_approx() scans at most this many slabs per node (6.10+). */
export const MAX_PARTIAL_TO_SCAN = 10000;
const LIST_LIMIT = 5_000_000;

export interface SlabView {
  readonly address: bigint;
  readonly objects: number;
  readonly inuse: number;
  readonly frozen: boolean;
  readonly freelist: bigint;
  readonly cache: bigint;
}

export interface NodeState {
  readonly node: number;
  readonly nrSlabs: bigint;
  readonly totalObjects: bigint;
  readonly nrPartial: number;
  readonly partialHead: bigint;
}

export class SlubCache {
  readonly name: string;
  /** s->size: bytes per object slot. */
  readonly size: number;
  /** s->object_size: the caller's object size. */
  readonly objectSize: number;
  readonly order: number;
  readonly objectsPerSlab: number;
  readonly offset: number;
  readonly inuse: number;
  readonly redLeftPad: number;
  readonly flags: bigint;
  readonly random: bigint | undefined;
  readonly cpuSlab: bigint;
  private swabMode: boolean | undefined;

  constructor(
    readonly slub: Slub,
    readonly address: bigint,
    readonly obj: KObject,
  ) {
    this.name = obj.str('name');
    this.size = obj.num('size');
    this.objectSize = obj.has('object_size') ? obj.num('object_size') : this.size;
    const oo = Number(BigInt.asUintN(32, obj.value('oo.x')));
    this.order = oo >>> OO_SHIFT;
    this.objectsPerSlab = oo & OO_MASK;
    this.offset = obj.has('offset') ? obj.num('offset') : 0;
    this.inuse = obj.has('inuse') ? obj.num('inuse') : this.size;
    this.redLeftPad = obj.has('red_left_pad') ? obj.num('red_left_pad') : 0;
    this.flags = obj.has('flags') ? obj.value('flags') : 0n;
    this.random = obj.has('random') ? BigInt.asUintN(64, obj.value('random')) : undefined;
    this.cpuSlab = obj.has('cpu_slab') ? obj.ptr('cpu_slab') : 0n;
  }

  /** kmem_cache_node for each node that has one (for_each_kmem_cache_node). */
  nodes(): NodeState[] {
    const k = this.slub.kernel;
    const out: NodeState[] = [];
    const nodeArr = this.obj.member('node');
    for (let node = 0; node < this.slub.nrNodeIds; node++) {
      const p = k.readPointer(nodeArr.address + BigInt(node * 8));
      if (p === 0n) continue;
      const n = k.object('struct kmem_cache_node', p);
      out.push({
        node,
        nrSlabs: n.has('nr_slabs') ? n.value('nr_slabs.counter') : 0n,
        totalObjects: n.has('total_objects') ? n.value('total_objects.counter') : 0n,
        nrPartial: n.num('nr_partial'),
        partialHead: n.memberAddress('partial'),
      });
    }
    return out;
  }

  /** Slabs on a node's partial list (bounded, cycle-safe: corrupt lists end with a warning). */
  *partialSlabs(node: NodeState): Generator<SlabView> {
    for (const a of this.slub.kernel.listForEach(node.partialHead, this.slub.slabType, this.slub.slabListMember, {
      limit: LIST_LIMIT,
      what: `${this.name}: node ${node.node} partial list`,
    })) {
      yield this.slub.slab(a);
    }
  }

  /** Slabs of the partial list walked backwards (list_for_each_entry_reverse). */
  *partialSlabsReverse(node: NodeState): Generator<SlabView> {
    const k = this.slub.kernel;
    const off = BigInt(k.offsetof(this.slub.slabType, this.slub.slabListMember));
    const seen = new Set<bigint>();
    const prev = BigInt(k.offsetof('struct list_head', 'prev'));
    let cur = k.readPointer(node.partialHead + prev);
    while (cur !== node.partialHead && cur !== 0n && !seen.has(cur) && seen.size < LIST_LIMIT) {
      seen.add(cur);
      yield this.slub.slab(cur - off);
      cur = k.readPointer(cur + prev);
    }
  }

  /** Decode a freelist pointer stored at ptrAddr. */
  decodeFreePointer(stored: bigint, ptrAddr: bigint, slabStart?: bigint, slabEnd?: bigint): bigint {
    if (this.random === undefined) return stored;
    const withSwab = BigInt.asUintN(64, stored ^ this.random ^ swab64(ptrAddr));
    if (this.swabMode === true) return withSwab;
    const plain = BigInt.asUintN(64, stored ^ this.random ^ ptrAddr);
    if (this.swabMode === false) return plain;
    if (slabStart !== undefined && slabEnd !== undefined) {
      const inSlab = (p: bigint) => p === 0n || (p >= slabStart && p < slabEnd);
      if (inSlab(withSwab) && withSwab !== 0n) this.swabMode = true;
      else if (inSlab(plain) && plain !== 0n) this.swabMode = false;
      return this.swabMode === false ? plain : withSwab;
    }
    return withSwab;
  }

  /**
   * Walk a freelist starting at `head`, yielding free object addresses. Stops (with a warning) on
   * a pointer outside [slabStart, slabEnd) or a loop.
   */
  *freelist(head: bigint, slabStart: bigint, slabEnd: bigint, what: string): Generator<bigint> {
    const k = this.slub.kernel;
    const seen = new Set<bigint>();
    let p = head === 0n ? 0n : k.arch.canonical(head);
    const max = Math.max(this.objectsPerSlab, 1) * 4 + 16;
    while (p !== 0n) {
      if (p < slabStart || p >= slabEnd) {
        k.warn(`${this.name}: ${what}: free pointer 0x${p.toString(16)} outside its slab; rest of the freelist skipped`);
        return;
      }
      if (seen.has(p) || seen.size > max) {
        k.warn(`${this.name}: ${what}: freelist loops; stopped after ${seen.size} objects`);
        return;
      }
      seen.add(p);
      yield p;
      const ptrAddr = p + BigInt(this.offset);
      let stored: bigint;
      try {
        stored = k.readU64(ptrAddr);
      } catch (e) {
        k.warn(`${this.name}: ${what}: unreadable free object (${(e as Error).message}); rest skipped`);
        return;
      }
      const next = this.decodeFreePointer(stored, ptrAddr, slabStart, slabEnd);
      p = next === 0n ? 0n : k.arch.canonical(next);
    }
  }

  /** Memory span of a slab's objects: [start, end). */
  slabSpan(slab: SlabView): { start: bigint; end: bigint } {
    const start = this.slub.slabAddress(slab.address);
    return { start, end: start + BigInt(this.slub.kernel.pageSize * 2 ** this.order) };
  }

  /** Per-cpu state: (cpu, cpu freelist, cpu slab, per-cpu partial slabs). */
  *cpuStates(): Generator<{ cpu: number; freelist: bigint; slab: bigint; partial: bigint }> {
    if (this.cpuSlab === 0n) return;
    const k = this.slub.kernel;
    const T = 'struct kmem_cache_cpu';
    const slabField = k.hasMember(T, 'slab') ? 'slab' : 'page';
    for (const cpu of k.cpus('possible')) {
      const c = k.object(T, k.percpu(this.cpuSlab, cpu));
      yield {
        cpu,
        freelist: c.ptr('freelist'),
        slab: c.ptr(slabField),
        partial: c.has('partial') ? c.ptr('partial') : 0n,
      };
    }
  }
}

function swab64(v: bigint): bigint {
  let out = 0n;
  let x = v;
  for (let i = 0; i < 8; i++) {
    out = (out << 8n) | (x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export class Slub {
  readonly slabType: string;
  readonly slabListMember: string;
  readonly nrNodeIds: number;
  private vmemmap: bigint | undefined;
  private model: MemoryModel | undefined;
  private readonly pageSizeOf: number;

  constructor(readonly kernel: Kernel) {
    this.slabType = kernel.hasType('struct slab') && kernel.hasMember('struct slab', 'slab_cache') ? 'struct slab' : 'struct page';
    this.slabListMember = kernel.hasMember(this.slabType, 'slab_list') ? 'slab_list' : 'lru';
    this.nrNodeIds = kernel.hasSymbol('nr_node_ids') ? kernel.readU32(kernel.symbol('nr_node_ids')) : 1;
    this.pageSizeOf = kernel.sizeof('struct page');
  }

  /** slab_caches in list order (what /proc/slabinfo iterates). */
  caches(): SlubCache[] {
    const k = this.kernel;
    const out: SlubCache[] = [];
    for (const a of k.listForEach(k.symbol('slab_caches'), 'struct kmem_cache', 'list', { what: 'slab_caches', limit: 100000 })) {
      try {
        out.push(new SlubCache(this, a, k.object('struct kmem_cache', a)));
      } catch (e) {
        k.warn(`kmem_cache at 0x${a.toString(16)} unreadable (${(e as Error).message}); skipped`);
      }
    }
    return out;
  }

  slab(address: bigint): SlabView {
    const s = this.kernel.object(this.slabType, address);
    return {
      address,
      objects: s.num('objects'),
      inuse: s.num('inuse'),
      frozen: s.num('frozen') !== 0,
      freelist: s.ptr('freelist'),
      cache: s.ptr('slab_cache'),
    };
  }

  /** Address of the memory a slab (struct slab/page) describes: page_address() of its pfn. */
  slabAddress(slab: bigint): bigint {
    const k = this.kernel;
    const pfn = this.pfnOf(slab);
    return k.arch.physToVirt(BigInt(pfn) << BigInt(k.pageShift));
  }

  /** pfn of a struct page (or struct slab) address, through the section's mem_map encoding. */
  pfnOf(pageStruct: bigint): number {
    this.model ??= new MemoryModel(this.kernel);
    if (this.vmemmap === undefined) {
      const first = this.model.section(this.model.sectionNr(this.model.minLowPfn));
      this.vmemmap = first?.memMapBase ?? 0n;
    }
    return Number((pageStruct - this.vmemmap) / BigInt(this.pageSizeOf));
  }
}
