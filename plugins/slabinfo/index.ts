/**
 * --slabinfo: /proc/slabinfo offline (SLUB), rows in slab_caches order, counted as the kernel counts.
 * --slab-objects NAME additionally lists every object of one cache with its state and, when the
 * cache tracks users (SLAB_STORE_USER), the allocation stack — crash's `kmem -S`.
 */
import type { Plugin, PluginContext } from '../../core/plugin/api.js';
import { Slub } from '../../core/mm/slub.js';
import { cacheObjects, formatSlabinfoRow, SLABINFO_HEADER, slabinfoRow } from '../../core/mm/slub-stats.js';
import { SlubTracks } from '../../core/mm/slub-track.js';
import { Symbolizer } from '../../core/symbols/symbolizer.js';
import { StackDepot } from '../../core/mm/stackdepot.js';
import { RamparseError } from '../../core/util/errors.js';

export const slabinfoPlugin: Plugin = {
  apiVersion: 1,
  name: 'slabinfo',
  flag: 'slabinfo',
  description: '/proc/slabinfo (SLUB), exactly as the kernel prints it; --slab-objects NAME lists objects',
  help: `SYNOPSIS
  ramparse --slabinfo DUMP --vmlinux VMLINUX [-o OUTDIR] [--stdout] [--slab-objects NAME]

Writes slabinfo.txt: the slabinfo 2.1 header and one row per cache in slab_caches
order. Counts follow get_slabinfo(): objects and slabs from the node counters, free
objects only from the node partial lists (objects on per-cpu slabs count as active),
approximated above 10000 partial slabs on 6.10+. See --slabsummary for exact counts.

--slab-objects NAME writes slab_objects_NAME.txt: every object of cache NAME with
"allocated"/"free", and for SLAB_STORE_USER caches the allocating pid, cpu, time and
stack (like crash "kmem -S").

EXAMPLE (the x86_64-6.1 fixture)
  $ ramparse --slabinfo vmcore.elf --vmlinux vmlinux --stdout | grep -E '^(slabinfo|pgdemo|kmalloc-64 )'
  slabinfo - version: 2.1
  pgdemo_cache        1000   2010    264   15    1 : tunables    0    0    0 : slabdata    134    134      0
  kmalloc-64           576    576     64   64    1 : tunables    0    0    0 : slabdata      9      9      0`,
  options: [{ flags: '--slab-objects <name>', description: 'also list the objects of this cache (allocated/free, alloc stacks)' }],
  requires: {
    symbols: ['slab_caches'],
    types: ['struct kmem_cache', 'struct kmem_cache_node'],
    members: [
      ['struct kmem_cache', 'oo'],
      ['struct kmem_cache', 'node'],
      ['struct kmem_cache_node', 'partial'],
    ],
    check: (k) => (k.hasMember('struct kmem_cache_node', 'total_objects') ? [] : ['struct kmem_cache_node has no total_objects: kernel built without CONFIG_SLUB_DEBUG (or not SLUB)']),
  },
  run(ctx) {
    const slub = new Slub(ctx.kernel);
    const caches = slub.caches();
    // text: the exact /proc/slabinfo; json/csv: the same numbers as rows
    const out = ctx.format === 'text' ? ctx.out.file('slabinfo.txt') : undefined;
    const rows = out
      ? undefined
      : ctx.out.table('slabinfo', ['name', 'active_objs', 'num_objs', 'objsize', 'objperslab', 'pagesperslab', 'active_slabs', 'num_slabs'].map((name) => ({ name })));
    out?.write(SLABINFO_HEADER);
    for (const c of caches) {
      try {
        const r = slabinfoRow(ctx.kernel, c);
        if (out) out.line(formatSlabinfoRow(r));
        else rows!.add([r.name, r.activeObjs, r.numObjs, r.objSize, r.objPerSlab, r.pagesPerSlab, r.numSlabs, r.numSlabs]);
      } catch (e) {
        ctx.warn(`cache ${c.name}: ${(e as Error).message}; row skipped`);
      }
    }
    out?.close();
    rows?.end();
    const name = ctx.options.slabObjects as string | undefined;
    if (name) listObjects(ctx, slub, name);
  },
};

function listObjects(ctx: PluginContext, slub: Slub, name: string): void {
  const cache = slub.caches().find((c) => c.name === name);
  if (!cache) throw new RamparseError(`--slab-objects ${name}: no such cache in slab_caches`);
  const k = ctx.kernel;
  const tracks = new SlubTracks(k, cache);
  const symbols = tracks.enabled ? new Symbolizer(k) : undefined;
  const depot = tracks.enabled && k.hasType('union handle_parts') ? new StackDepot(k) : undefined;
  const out = ctx.out.file(`slab_objects_${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.txt`);
  out.line(`cache ${cache.name} at 0x${cache.address.toString(16)}: object size ${cache.objectSize}, slot size ${cache.size}, ${cache.objectsPerSlab} per slab, order ${cache.order}${tracks.enabled ? ', user tracking on' : ''}`);
  let allocated = 0;
  let free = 0;
  for (const o of cacheObjects(k, cache)) {
    if (o.allocated) allocated++;
    else free++;
    let line = `  0x${o.address.toString(16)}  ${o.allocated ? 'allocated' : 'free     '}  slab 0x${o.slab.toString(16)}`;
    const t = o.allocated ? tracks.alloc(o.address) : undefined;
    if (t) line += `  pid ${t.pid} cpu ${t.cpu} when ${t.when}`;
    out.line(line);
    if (t && symbols) {
      const frames = t.handle && depot ? depot.fetch(t.handle) : undefined;
      if (frames) for (const a of frames) out.line(`      ${symbols.format(a)}`);
      else if (t.addr) out.line(`      ${symbols.format(t.addr)}`);
    }
  }
  out.line(`${allocated} allocated, ${free} free`);
  out.close();
}

export default slabinfoPlugin;
