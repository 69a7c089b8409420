/**
 * ramparser's page_tracking.txt (one block per allocation) and page_frequency.txt (one block per
 * stack) for users migrating from it. Written by their own walk so that the page_owner plugin can
 * hand them to a second thread (they are half of the output volume on a large dump).
 */
import type { Kernel } from '../../core/kernel/kernel.js';
import { PageOwnerWalker, type PageOwnerRecord } from '../../core/mm/page-owner.js';
import { StackDepot } from '../../core/mm/stackdepot.js';
import type { TextSink } from '../../core/plugin/output.js';
import { Symbolizer } from '../../core/symbols/symbolizer.js';

export interface RecordFilter {
  readonly pids?: readonly number[];
  readonly tgids?: readonly number[];
  readonly names?: readonly string[];
}

/** page_owner_sort's --pid/--tgid/--name filters: a record passes when it matches every given list. */
export function recordFilter(f: RecordFilter): (r: PageOwnerRecord) => boolean {
  const pids = f.pids ? new Set(f.pids) : undefined;
  const tgids = f.tgids ? new Set(f.tgids) : undefined;
  const names = f.names ? new Set(f.names) : undefined;
  return (r) => (!pids || pids.has(r.pid)) && (!tgids || tgids.has(r.tgid)) && (!names || names.has(r.comm));
}

function hex16(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}

export function writeRamparserFiles(kernel: Kernel, filter: RecordFilter, tracking: TextSink, frequencyOut: TextSink): void {
  const walker = new PageOwnerWalker(kernel);
  const depot = new StackDepot(kernel);
  const symbols = new Symbolizer(kernel);
  const keep = recordFilter(filter);
  const framesText = new Map<number, string>();
  const frequency = new Map<number, { count: number; pages: number; who: Map<number, Map<string, number>> }>();
  for (const r of walker.walk('allocated')) {
    if (!keep(r)) continue;
    const pages = 2 ** r.order;
    let frames = framesText.get(r.handle);
    if (frames === undefined) {
      frames = (depot.fetch(r.handle) ?? []).map((a) => `      [<${hex16(a)}>] ${symbols.format(a).replace(/\/0x[0-9a-f]+/, '')}\n`).join('');
      framesText.set(r.handle, frames);
    }
    tracking.write(
      `PFN : 0x${r.pfn.toString(16)}-0x${(r.pfn + pages).toString(16)} Page : 0x${walker.model.pageAddress(r.pfn).toString(16)} Order : ${r.order} PID : ${r.pid} ts_nsec ${r.tsNsec} gfp 0x${r.gfpMask.toString(16)}\n${frames}\n`,
    );
    let f = frequency.get(r.handle);
    if (!f) frequency.set(r.handle, (f = { count: 0, pages: 0, who: new Map() }));
    f.count++;
    f.pages += pages;
    // who allocated with this stack: pid and order as one number, then comm
    const pidOrder = r.pid * 64 + r.order;
    let byComm = f.who.get(pidOrder);
    if (!byComm) f.who.set(pidOrder, (byComm = new Map()));
    byComm.set(r.comm, (byComm.get(r.comm) ?? 0) + 1);
  }
  for (const [handle, f] of [...frequency.entries()].sort((a, b) => b[1].count - a[1].count || b[1].pages - a[1].pages)) {
    frequencyOut.line(`Allocated ${f.count} times, total memory: ${(f.pages * kernel.pageSize) / 1024} KB`);
    for (const a of depot.fetch(handle) ?? []) frequencyOut.line(`      ${symbols.format(a)}`);
    const who: Array<[string, number]> = [];
    for (const [pidOrder, byComm] of f.who) {
      for (const [comm, n] of byComm) who.push([`PID ${Math.floor(pidOrder / 64)} (${comm}) order ${pidOrder % 64}`, n]);
    }
    for (const [w, n] of who.sort((a, b) => b[1] - a[1])) frequencyOut.line(`   ${w}: ${n} times`);
    frequencyOut.line('');
  }
}
