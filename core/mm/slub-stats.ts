/**
 * Counting SLUB objects two ways:
 *  - as /proc/slabinfo does (get_slabinfo(): node counters, free = objects − inuse summed over the
 *    node partial lists only, approximated from 2 × 5000 slabs above 10000 partial slabs since 6.10);
 *  - exactly: per-cpu freelists, per-cpu slabs and per-cpu partial slabs counted as free too;
 * and walking every object of a cache (slabs found by scanning struct pages).
 */
import type { Kernel } from '../kernel/kernel.js';
import { MemoryModel } from './memory-model.js';
import { PageLayout } from './page-layout.js';
import { MAX_PARTIAL_TO_SCAN, type NodeState, type SlabView, type SlubCache } from './slub.js';

export interface SlabinfoRow {
  readonly name: string;
  readonly activeObjs: bigint;
  readonly numObjs: bigint;
  readonly objSize: number;
  readonly objPerSlab: number;
  readonly pagesPerSlab: number;
  readonly numSlabs: bigint;
}

/** count_partial_free_approx() (6.10+) or count_partial(n, count_free) before. */
function partialFree(cache: SlubCache, node: NodeState, approximate: boolean): bigint {
  let x = 0n;
  if (!approximate || node.nrPartial <= MAX_PARTIAL_TO_SCAN) {
    for (const s of cache.partialSlabs(node)) x += BigInt(s.objects - s.inuse);
    return x;
  }
  let scanned = 0;
  for (const s of cache.partialSlabs(node)) {
    x += BigInt(s.objects - s.inuse);
    if (++scanned === MAX_PARTIAL_TO_SCAN / 2) break;
  }
  for (const s of cache.partialSlabsReverse(node)) {
    x += BigInt(s.objects - s.inuse);
    if (++scanned === MAX_PARTIAL_TO_SCAN) break;
  }
  // mult_frac(x, nr_partial, scanned), then capped by the node's object count
  x = (x / BigInt(scanned)) * BigInt(node.nrPartial) + ((x % BigInt(scanned)) * BigInt(node.nrPartial)) / BigInt(scanned);
  return x < node.totalObjects ? x : node.totalObjects;
}

export function slabinfoRow(kernel: Kernel, cache: SlubCache): SlabinfoRow {
  // The 10000-slab approximation arrived in 6.10 without a type change to detect it by.
  const approximate = kernel.versionAtLeast(6, 10);
  let nrSlabs = 0n;
  let nrObjs = 0n;
  let nrFree = 0n;
  for (const n of cache.nodes()) {
    nrSlabs += n.nrSlabs;
    nrObjs += n.totalObjects;
    nrFree += partialFree(cache, n, approximate);
  }
  return {
    name: cache.name,
    activeObjs: nrObjs - nrFree,
    numObjs: nrObjs,
    objSize: cache.size,
    objPerSlab: cache.objectsPerSlab,
    pagesPerSlab: 2 ** cache.order,
    numSlabs: nrSlabs,
  };
}

/** The /proc/slabinfo line (mm/slab_common.c cache_show()). */
export function formatSlabinfoRow(r: SlabinfoRow): string {
  const l = (v: string | number | bigint, w: number) => String(v).padStart(w);
  return `${r.name.padEnd(17)} ${l(r.activeObjs, 6)} ${l(r.numObjs, 6)} ${l(r.objSize, 6)} ${l(r.objPerSlab, 4)} ${l(r.pagesPerSlab, 4)} : tunables ${l(0, 4)} ${l(0, 4)} ${l(0, 4)} : slabdata ${l(r.numSlabs, 6)} ${l(r.numSlabs, 6)} ${l(0, 6)}`;
}

export const SLABINFO_HEADER =
  'slabinfo - version: 2.1\n# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n';

export interface ExactCounts {
  readonly total: bigint;
  readonly free: bigint;
  readonly allocated: bigint;
  readonly slabs: bigint;
  readonly freeOnNodePartial: bigint;
  readonly freeOnCpu: bigint;
}

/** Exact free objects: node partial slabs + per-cpu freelists, slabs and partial slabs. */
export function exactCounts(kernel: Kernel, cache: SlubCache): ExactCounts {
  let total = 0n;
  let slabs = 0n;
  let nodeFree = 0n;
  for (const n of cache.nodes()) {
    total += n.totalObjects;
    slabs += n.nrSlabs;
    nodeFree += partialFree(cache, n, false);
  }
  let cpuFree = 0n;
  for (const c of cache.cpuStates()) {
    if (c.slab !== 0n) {
      const slab = cache.slub.slab(c.slab);
      const span = cache.slabSpan(slab);
      for (const _ of cache.freelist(c.freelist, span.start, span.end, `cpu ${c.cpu} freelist`)) cpuFree++;
      // Objects freed remotely to a frozen cpu slab sit on slab->freelist and lowered inuse.
      cpuFree += BigInt(slab.objects - slab.inuse);
    }
    let p = c.partial;
    const seen = new Set<bigint>();
    while (p !== 0n && !seen.has(p) && seen.size < 100000) {
      seen.add(p);
      const s = cache.slub.slab(p);
      cpuFree += BigInt(s.objects - s.inuse);
      p = kernel.readPointer(p + BigInt(kernel.offsetof(cache.slub.slabType, 'next')));
    }
  }
  const free = nodeFree + cpuFree;
  return { total, free, allocated: total - free, slabs, freeOnNodePartial: nodeFree, freeOnCpu: cpuFree };
}

export interface SlabObject {
  readonly address: bigint;
  readonly allocated: boolean;
  readonly slab: bigint;
}

/**
 * Every object of a cache: slabs are found by scanning struct pages for slab heads whose
 * slab_cache is this cache (full slabs are on no list without debugging), free objects by walking
 * the slab freelist and the owning cpu's freelist.
 */
export function* cacheObjects(kernel: Kernel, cache: SlubCache): Generator<SlabObject> {
  const model = new MemoryModel(kernel);
  const page = new PageLayout(kernel);
  const slabT = cache.slub.slabType;
  const cacheOff = kernel.offsetof(slabT, 'slab_cache');
  const cpuFreelists = new Map<bigint, bigint>();
  for (const c of cache.cpuStates()) if (c.slab !== 0n) cpuFreelists.set(c.slab, c.freelist);
  const chunk = 1 << 14;
  for (let pfn = model.minLowPfn - (model.minLowPfn % chunk); pfn < model.maxPfn; pfn += chunk) {
    const end = Math.min(pfn + chunk, model.maxPfn);
    if (!model.pfnValid(pfn) && !model.pfnValid(end - 1)) continue;
    let buf: Buffer;
    try {
      buf = model.readPages(pfn, end - pfn);
    } catch {
      continue;
    }
    for (let i = 0; i < end - pfn; i++) {
      const off = i * page.size;
      if (!page.isSlab(buf, off) || page.isTail(buf, off)) continue;
      if (kernel.arch.canonical(buf.readBigUInt64LE(off + cacheOff)) !== cache.address) continue;
      const slabAddr = model.pageAddress(pfn + i);
      yield* slabObjects(cache, cache.slub.slab(slabAddr), cpuFreelists.get(slabAddr));
    }
  }
}

function* slabObjects(cache: SlubCache, slab: SlabView, cpuFreelist: bigint | undefined): Generator<SlabObject> {
  const span = cache.slabSpan(slab);
  const free = new Set<bigint>();
  for (const p of cache.freelist(slab.freelist, span.start, span.end, `slab 0x${slab.address.toString(16)}`)) free.add(p);
  if (cpuFreelist !== undefined) for (const p of cache.freelist(cpuFreelist, span.start, span.end, 'cpu freelist')) free.add(p);
  for (let i = 0; i < slab.objects; i++) {
    const obj = span.start + BigInt(i * cache.size + cache.redLeftPad);
    // Freelist pointers point at the object start (after the left red zone).
    yield { address: obj, allocated: !free.has(obj), slab: slab.address };
  }
}
