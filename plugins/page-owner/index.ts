/**
 * --print-pagetracking: page_owner offline. Writes, in the output directory:
 *   page_owner.txt          exactly what /sys/kernel/debug/page_owner printed
 *   page_owner_sorted.txt   page_owner_sort's grouping (or --sort/--cull keys)
 *   page_owner_summary.txt  pages per process group, category, order, migratetype, top stacks
 *   page_tracking.txt       ramparser-compatible per-allocation listing
 *   page_frequency.txt      ramparser-compatible per-stack counts
 *   page_owner_freed.txt    freed pages with their last owner and free stack (when the kernel records them)
 *   page_owner_stacks.txt   page_owner_stacks/show_stacks (6.9+)
 * With --format json, page_owner.jsonl holds one JSON record per allocation instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Plugin, PluginContext } from '../../core/plugin/api.js';
import { PageOwnerWalker, type PageOwnerRecord, type WalkStats } from '../../core/mm/page-owner.js';
import { StackDepot } from '../../core/mm/stackdepot.js';
import { Symbolizer } from '../../core/symbols/symbolizer.js';
import type { TextSink } from '../../core/plugin/output.js';
import { RamparseError } from '../../core/util/errors.js';
import { DEFAULT_CATEGORY_RULES } from './categories.js';
import { PageOwnerFormatter, recordText, type RecordParts } from './format.js';
import { recordFilter, writeRamparserFiles, type RecordFilter } from './ramparser-files.js';
import type { RamparserJob } from './ramparser-worker.js';
import { hasPageOwnerStacks, writePageOwnerStacks } from './stacks.js';
import { PageOwnerSorter, stackAllocator, type CullKey, type SortKey } from './sort.js';
import { Categorizer, loadCategoryRules, PageOwnerSummary } from './summary.js';

const CULL_KEYS: readonly CullKey[] = ['pid', 'tgid', 'name', 'stacktrace', 'allocator'];
const SORT_KEYS: readonly SortKey[] = ['pid', 'tgid', 'name', 'stacktrace', 'times', 'pages', 'alloc_ts', 'txt'];

function parseKeys<T extends string>(value: unknown, allowed: readonly T[], option: string): T[] {
  if (value === undefined || value === '') return [];
  const keys = String(value).split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of keys) {
    if (!allowed.includes(k as T)) throw new RamparseError(`${option} ${k}: unknown key (use ${allowed.join(', ')})`);
  }
  return keys as T[];
}

/** --po-pid/--po-tgid/--po-name as a filter description (validated here, applied by recordFilter). */
function filterOptions(options: Readonly<Record<string, unknown>>): RecordFilter {
  const nums = (v: unknown, opt: string) => {
    if (v === undefined) return undefined;
    const list = String(v).split(',').map((x) => x.trim());
    if (!list.every((x) => /^\d+$/.test(x))) throw new RamparseError(`${opt} ${String(v)}: expected comma-separated numbers`);
    return list.map(Number);
  };
  return {
    pids: nums(options.poPid, '--po-pid'),
    tgids: nums(options.poTgid, '--po-tgid'),
    names: options.poName === undefined ? undefined : String(options.poName).split(','),
  };
}

/**
 * page_tracking.txt and page_frequency.txt in a worker thread (its own walk of the same dump), when
 * the kernel was opened from files and the compiled worker exists; else undefined (done inline).
 */
function startRamparserWorker(ctx: PluginContext, filter: RecordFilter): Promise<void> | undefined {
  const request = ctx.kernel.openRequest;
  const script = new URL('./ramparser-worker.js', import.meta.url);
  if (!request || !existsSync(fileURLToPath(script))) return undefined;
  const job: RamparserJob = { request, outdir: ctx.out.outdir, filter };
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: job });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new RamparseError(`page_tracking.txt/page_frequency.txt writer stopped with code ${code}`))));
  });
}

export const pageOwnerPlugin: Plugin = {
  apiVersion: 1,
  name: 'page_owner',
  flag: 'print-pagetracking',
  description: 'page_owner: /sys/kernel/debug/page_owner text, sorted, per-process summary (needs page_owner=on)',
  help: `SYNOPSIS
  ramparse --print-pagetracking DUMP --vmlinux VMLINUX [-o OUTDIR] [--stdout]
           [--po-sort KEYS] [--po-cull KEYS] [--categories FILE] [--format json]

Walks every pfn the kernel's own reader walks (min_low_pfn..max_pfn) with its rules
(buddy pages skipped, PAGE_EXT_OWNER + PAGE_EXT_OWNER_ALLOCATED, order-aligned heads),
reads page_ext and the stack depot directly, and prints each record exactly as
/sys/kernel/debug/page_owner would have. The kernel must have run with page_owner=on.

FILES (in OUTDIR, default ./ramparse-out)
  page_owner.txt          the debugfs text (--stdout prints only this, to stdout)
  page_owner_sorted.txt   like tools/mm/page_owner_sort: "N times, M pages:" + stack
  page_owner_summary.txt  pages/KiB per tgid (all threads), category, order, migratetype, top stacks
  page_tracking.txt       ramparser's per-allocation format
  page_frequency.txt      ramparser's per-stack format
  page_owner_freed.txt    freed pages: last owner and the free stack (kernels with free_handle)
  page_owner_stacks.txt   /sys/kernel/debug/page_owner_stacks/show_stacks (6.9+)

EXAMPLES (the x86_64-6.1 fixture)
  $ ramparse --print-pagetracking dump.bin --vmlinux vmlinux -o out/
  $ ramparse --print-pagetracking vmcore.elf --vmlinux vmlinux --stdout | grep -A6 GFP_HIGHUSER_MOVABLE | head -7
  Page allocated via order 0, mask 0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), pid 274, tgid 274 (seq), ts 6313594417 ns, free_ts 0 ns
  PFN 21504 type Movable Block 21 type Movable Flags 0x8001e(referenced|uptodate|dirty|lru|swapbacked|zone=0)
   get_page_from_freelist+0xad2/0xb50
   __alloc_pages+0x11e/0x210
   shmem_get_folio_gfp.constprop.0+0x340/0x630
   shmem_write_begin+0x41/0x90
   generic_perform_write+0xca/0x200
  $ ramparse --print-pagetracking vmcore.elf --vmlinux vmlinux --po-cull tgid,name --po-sort pages -o out/
  $ head -2 out/page_owner_sorted.txt
  1357 times, 1715 pages, TGID 1, task_comm_name: swapper/0
  740 times, 743 pages, TGID 8, task_comm_name: kworker/u4:0`,
  options: [
    { flags: '--po-sort <keys>', description: 'page_owner_sorted.txt order: times,pages,pid,tgid,name,stacktrace,alloc_ts,txt (default times)' },
    { flags: '--po-cull <keys>', description: 'page_owner_sorted.txt grouping: pid,tgid,name,stacktrace,allocator (default: whole record text)' },
    { flags: '--categories <file>', description: 'extra stack-category rules (JSON) for page_owner_summary.txt' },
    { flags: '--po-pid <pids>', description: 'sorted/summary files: only records of these pids (comma-separated)' },
    { flags: '--po-tgid <tgids>', description: 'sorted/summary files: only records of these tgids (a whole process group)' },
    { flags: '--po-name <comms>', description: 'sorted/summary files: only records whose task comm is one of these' },
  ],
  requires: {
    symbols: ['page_owner_ops', 'max_pfn', 'gfpflag_names', 'pageflag_names', 'migratetype_names'],
    anySymbol: [['stack_pools', 'stack_slabs']],
    types: ['struct page_owner', 'struct page_ext', 'union handle_parts', 'struct stack_record'],
    members: [['struct page_ext_operations', 'offset']],
    check: (k) => {
      const out: string[] = [];
      if (k.hasSymbol('page_owner_inited')) {
        // DEFINE_STATIC_KEY_FALSE(page_owner_inited): enabled only when booted with page_owner=on.
        const key = k.object('struct static_key', k.symbol('page_owner_inited'));
        const enabled = key.has('enabled') ? key.num('enabled.counter') : 1;
        if (enabled <= 0) out.push('page_owner was not enabled in this boot (boot with page_owner=on)');
      }
      return out;
    },
  },
  run(ctx) {
    return runPageOwner(ctx);
  },
};

async function runPageOwner(ctx: PluginContext): Promise<void> {
  const k = ctx.kernel;
  const warningsBefore = k.warnings.length;
  const walker = new PageOwnerWalker(k);
  const depot = new StackDepot(k);
  const symbols = new Symbolizer(k);
  const fmt = new PageOwnerFormatter(k, walker, depot, symbols);
  const rules = loadCategoryRules(DEFAULT_CATEGORY_RULES, ctx.options.categories as string | undefined);
  const categorizer = new Categorizer(rules);
  const sorter = new PageOwnerSorter<PageOwnerRecord>(
    (r) => fmt.headerWithoutTs(r),
    parseKeys(ctx.options.poCull, CULL_KEYS, '--po-cull'),
    parseKeys(ctx.options.poSort, SORT_KEYS, '--po-sort'),
    k.versionAtLeast(6, 7),
  );
  const summary = new PageOwnerSummary(k.pageSize, walker.fields.tgid);
  const filter = filterOptions(ctx.options);
  const keep = recordFilter(filter);
  const stats: WalkStats = { pfnsVisited: 0, records: 0, skippedRanges: [] };
  const { start, end } = walker.range;
  const progress = ctx.progress('page_owner', end - start);
  const json = ctx.format === 'json';
  const onlyStdout = ctx.out.toStdout;

  const main: TextSink = json ? ctx.out.file('page_owner.jsonl') : ctx.out.file('page_owner.txt');
  // ramparser's files come from a second walk, in a worker thread when possible (both cores busy)
  const ramparserFiles = onlyStdout || json ? undefined : (startRamparserWorker(ctx, filter) ?? 'inline');
  let dropped = 0;

  // Everything derived from a stack is computed once per handle.
  const stackIds = new Map<string, number>();
  const perHandle = new Map<number, { id: number; allocator: number; category: string }>();
  const handleInfo = (handle: number) => {
    let h = perHandle.get(handle);
    if (!h) {
      const text = fmt.stackText(handle) ?? '';
      let id = stackIds.get(text);
      if (id === undefined) stackIds.set(text, (id = stackIds.size));
      h = { id, allocator: stackAllocator(text), category: categorizer.categorize(handle, fmt.frames(handle)) };
      perHandle.set(handle, h);
    }
    return h;
  };

  for (const r of walker.walk('allocated', stats, (pfn) => progress.update(pfn - start))) {
    const pages = 2 ** r.order;
    const ts = String(r.tsNsec); // bigint to decimal once: header and page_tracking.txt both print it
    let parts: RecordParts | undefined;
    if (json) {
      main.line(JSON.stringify(recordJson(fmt, r, fmt.frames(r.handle))));
    } else {
      parts = fmt.parts(r, ts);
      const text = recordText(parts, k.pageSize);
      if (text === undefined) {
        dropped++;
        continue;
      }
      main.write(text);
    }
    if (onlyStdout || !keep(r)) continue;
    const h = handleInfo(r.handle);
    if (parts) {
      sorter.add(
        {
          headerKey: fmt.headerSortKey(r),
          stack: parts.stack,
          stackId: h.id,
          rest: parts.rest,
          allocator: fmt.pfnLineAllocator(r) | h.allocator,
          pid: r.pid,
          tgid: r.tgid,
          comm: r.comm,
          pages,
          tsNsec: r.tsNsec,
        },
        r,
      );
    }
    summary.add({
      tgid: r.tgid,
      pid: r.pid,
      comm: r.comm,
      order: r.order,
      migratetype: fmt.migratetypeName(fmt.gfpMigratetype(r.gfpMask)),
      handle: r.handle,
      pages,
      category: h.category,
    });
  }
  progress.done();
  main.close();
  if (dropped) ctx.warn(`${dropped} records longer than a page were dropped, as the kernel's reader drops them`);
  if (fmt.memcgUnreachable) {
    ctx.warn(
      `${fmt.memcgUnreachable} memcg(s) of user pages are not reachable the way this kernel's print_page_owner_memcg() reads them (as an obj_cgroup; the live kernel faults there): their "Charged" lines show the page's memcg as page_memcg_check() finds it`,
    );
  }

  if (onlyStdout) return;
  const sorted = ctx.out.file('page_owner_sorted.txt');
  for (const block of sorter.render()) sorted.write(block);
  sorted.close();

  const sum = ctx.out.file('page_owner_summary.txt');
  const filters = ['poPid', 'poTgid', 'poName'].filter((o) => ctx.options[o] !== undefined).map((o) => `${o.slice(2).toLowerCase()} in {${String(ctx.options[o])}}`);
  if (filters.length) sum.line(`(only records with ${filters.join(' and ')})`);
  for (const line of summary.render((h) => fmt.frames(h))) sum.line(line);
  const warnings = k.warnings.slice(warningsBefore);
  if (warnings.length) {
    sum.line('Partial results - skipped or damaged in this dump:');
    for (const w of warnings) sum.line(`  ${w}`);
  }
  sum.close();

  if (walker.fields.freeHandle) writeFreed(ctx, walker, fmt);
  if (hasPageOwnerStacks(k)) {
    const stacks = ctx.out.file('page_owner_stacks.txt');
    writePageOwnerStacks(k, symbols, stacks);
    stacks.close();
  }
  if (ramparserFiles === 'inline') {
    const tracking = ctx.out.file('page_tracking.txt');
    const frequency = ctx.out.file('page_frequency.txt');
    writeRamparserFiles(k, filter, tracking, frequency);
    tracking.close();
    frequency.close();
  } else if (ramparserFiles) {
    await ramparserFiles;
  }
}

function writeFreed(ctx: PluginContext, walker: PageOwnerWalker, fmt: PageOwnerFormatter): void {
  const out = ctx.out.file('page_owner_freed.txt');
  for (const r of walker.walk('freed')) {
    const freedBy = walker.fields.freePid ? `, freed by pid ${r.freePid}, tgid ${r.freeTgid}` : '';
    out.write(
      `Page last allocated via order ${r.order}, mask 0x${r.gfpMask.toString(16)}(${fmt.gfpText(r.gfpMask)}), pid ${r.pid}, tgid ${r.tgid} (${r.comm}), ts ${r.tsNsec} ns, free_ts ${r.freeTsNsec} ns${freedBy}\n`,
    );
    out.write(`PFN 0x${r.pfn.toString(16)} Block ${fmt.pageblockNr(r.pfn)} type ${fmt.migratetypeName(fmt.pageblockMigratetype(r.pfn))}\n`);
    out.write('allocated at:\n' + (fmt.stackText(r.handle) ?? ' (no stack)\n'));
    out.write('freed at:\n' + (fmt.stackText(r.freeHandle) ?? ' (no stack)\n'));
    out.write('\n');
  }
  out.close();
}

function recordJson(fmt: PageOwnerFormatter, r: PageOwnerRecord, frames: readonly string[]) {
  return {
    pfn: r.pfn,
    order: r.order,
    gfpMask: '0x' + r.gfpMask.toString(16),
    gfp: fmt.gfpText(r.gfpMask),
    pid: r.pid,
    tgid: r.tgid,
    comm: r.comm,
    tsNsec: r.tsNsec.toString(),
    freeTsNsec: r.freeTsNsec.toString(),
    migratetype: fmt.migratetypeName(fmt.gfpMigratetype(r.gfpMask)),
    pageblockMigratetype: fmt.migratetypeName(fmt.pageblockMigratetype(r.pfn)),
    pageFlags: '0x' + r.pageFlags.toString(16),
    lastMigrateReason: r.lastMigrateReason,
    handle: r.handle,
    stack: frames,
  };
}

export default pageOwnerPlugin;
