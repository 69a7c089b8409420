/**
 * --slabsummary: ramparser's slab summary with exact numbers. ALLOCATED counts objects on per-cpu
 * freelists, per-cpu slabs and per-cpu partial slabs as free (unlike /proc/slabinfo's active_objs,
 * which only subtracts free objects on the node partial lists). Sorted by TOTAL*SIZE.
 */
import type { Plugin } from '../../core/plugin/api.js';
import { Slub } from '../../core/mm/slub.js';
import { exactCounts } from '../../core/mm/slub-stats.js';

export const slabsummaryPlugin: Plugin = {
  apiVersion: 1,
  name: 'slabsummary',
  flag: 'slabsummary',
  description: 'per-cache summary with exact allocated counts (ramparser slabsummary.txt)',
  help: `SYNOPSIS
  ramparse --slabsummary DUMP --vmlinux VMLINUX [-o OUTDIR] [--format text|json|csv]

Columns: NAME, OBJSIZE (object_size), SIZE (slot size), ALLOCATED (exact: objects not
on any freelist), TOTAL (objects in all slabs), TOTAL*SIZE (bytes), SLABS, SSIZE (bytes
per slab). Rows sorted by TOTAL*SIZE, then a totals line.

Unlike /proc/slabinfo's <active_objs>, ALLOCATED treats free objects on per-cpu
freelists and per-cpu (partial) slabs as free.`,
  requires: {
    symbols: ['slab_caches'],
    types: ['struct kmem_cache', 'struct kmem_cache_node'],
    members: [['struct kmem_cache', 'cpu_slab']],
    check: (k) => (k.hasMember('struct kmem_cache_node', 'total_objects') ? [] : ['kernel built without CONFIG_SLUB_DEBUG: no per-node object counters']),
  },
  run(ctx) {
    const slub = new Slub(ctx.kernel);
    const pageSize = ctx.kernel.pageSize;
    const rows: Array<{ name: string; objsize: number; size: number; allocated: bigint; total: bigint; bytes: bigint; slabs: bigint; ssize: number }> = [];
    for (const c of slub.caches()) {
      try {
        const e = exactCounts(ctx.kernel, c);
        rows.push({ name: c.name, objsize: c.objectSize, size: c.size, allocated: e.allocated, total: e.total, bytes: e.total * BigInt(c.size), slabs: e.slabs, ssize: pageSize * 2 ** c.order });
      } catch (e) {
        ctx.warn(`cache ${c.name}: ${(e as Error).message}; skipped`);
      }
    }
    rows.sort((a, b) => (b.bytes > a.bytes ? 1 : b.bytes < a.bytes ? -1 : a.name < b.name ? -1 : 1));
    const table = ctx.out.table('slabsummary', [
      { name: 'NAME', width: -24 },
      { name: 'OBJSIZE', width: 8 },
      { name: 'SIZE', width: 8 },
      { name: 'ALLOCATED', width: 10 },
      { name: 'TOTAL', width: 10 },
      { name: 'TOTAL*SIZE', width: 12 },
      { name: 'SLABS', width: 8 },
      { name: 'SSIZE', width: 8 },
    ]);
    let tAlloc = 0n;
    let tTotal = 0n;
    let tBytes = 0n;
    let tSlabs = 0n;
    for (const r of rows) {
      table.add([r.name, r.objsize, r.size, r.allocated, r.total, r.bytes, r.slabs, r.ssize]);
      tAlloc += r.allocated;
      tTotal += r.total;
      tBytes += r.bytes;
      tSlabs += r.slabs;
    }
    table.add(['TOTAL', null, null, tAlloc, tTotal, tBytes, tSlabs, null]);
    table.end();
  },
};

export default slabsummaryPlugin;
