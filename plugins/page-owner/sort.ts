/**
 * tools/mm/page_owner_sort (tools/vm before 6.0) built in: records grouped by their text with the
 * PFN line dropped and the ts digits removed (its default), or culled by pid/tgid/name/stacktrace,
 * then sorted by times seen (default) or by the given keys.
 */
export interface SortInput {
  /** Record text without the PFN line and the trailing empty line, ts digits still present. */
  readonly header: string;
  readonly stack: string;
  readonly rest: string;
  readonly pfnLine: string;
  readonly pid: number;
  readonly tgid: number;
  readonly comm: string;
  readonly pages: number;
  readonly tsNsec: bigint;
}

export type CullKey = 'pid' | 'tgid' | 'name' | 'stacktrace' | 'allocator';
export type SortKey = 'pid' | 'tgid' | 'name' | 'stacktrace' | 'times' | 'pages' | 'alloc_ts' | 'txt';

interface Group {
  txt: string;
  stack: string;
  pid: number;
  tgid: number;
  comm: string;
  tsNsec: bigint;
  allocator: number;
  num: number;
  pages: number;
}

const ALLOCATOR_CMA = 1 << 1;
const ALLOCATOR_SLAB = 1 << 2;
const ALLOCATOR_VMALLOC = 1 << 3;
const ALLOCATOR_OTHERS = 1 << 4;

/** get_allocator(): CMA/slab from the PFN line, vmalloc from a __vmalloc_node_range frame right after alloc_pages. */
export function allocatorOf(text: string, pfnLine: string): number {
  let a = 0;
  if (pfnLine.includes('CMA')) a |= ALLOCATOR_CMA;
  if (pfnLine.includes('slab')) a |= ALLOCATOR_SLAB;
  const v = text.indexOf('__vmalloc_node_range');
  if (v >= 0) {
    const lineStart = text.lastIndexOf('\n', v);
    const prevStart = lineStart > 0 ? text.lastIndexOf('\n', lineStart - 1) + 1 : 0;
    const ap = text.indexOf('alloc_pages', prevStart);
    if (ap >= 0 && ap < v) a |= ALLOCATOR_VMALLOC;
  }
  return a || ALLOCATOR_OTHERS;
}

function allocatorText(a: number): string {
  let s = 'allocated by ';
  if (a & ALLOCATOR_CMA) s += 'CMA ';
  if (a & ALLOCATOR_SLAB) s += 'SLAB ';
  if (a & ALLOCATOR_VMALLOC) s += 'VMALLOC ';
  if (a & ALLOCATOR_OTHERS) s += 'OTHERS ';
  return s;
}

/** remove_pattern(ts_nsec_pattern): drop the digits of the first "ts <n> ns". */
export function removeTsDigits(text: string): string {
  return text.replace(/ts\s*([0-9]*)\s*ns/, (m, digits: string) => m.replace(digits, ''));
}

function cmpStr(a: string, b: string): number {
  // strcmp order: compare bytes (latin1 strings compare code units = bytes)
  return a < b ? -1 : a > b ? 1 : 0;
}

export class PageOwnerSorter {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly cull: readonly CullKey[],
    private readonly sort: readonly SortKey[],
    /** Kernels ≥6.7 ship the page_owner_sort that prints ", allocated by …". */
    private readonly printsAllocator: boolean,
  ) {}

  add(r: SortInput): void {
    const txt = removeTsDigits(r.header + r.stack + r.rest);
    const allocator = allocatorOf(r.header + r.stack + r.rest, r.pfnLine);
    let key: string;
    if (this.cull.length === 0) key = txt;
    else {
      key = this.cull
        .map((c) => (c === 'pid' ? r.pid : c === 'tgid' ? r.tgid : c === 'name' ? r.comm : c === 'stacktrace' ? r.stack + r.rest : allocator))
        .join('\u0000');
    }
    const g = this.groups.get(key);
    if (g) {
      g.num++;
      g.pages += r.pages;
      return;
    }
    // page_owner_sort's "stacktrace" is everything after the header line (migrate/memcg lines too).
    this.groups.set(key, { txt, stack: r.stack + r.rest, pid: r.pid, tgid: r.tgid, comm: r.comm, tsNsec: r.tsNsec, allocator, num: 1, pages: r.pages });
  }

  private cullCompare(a: Group, b: Group): number {
    if (this.cull.length === 0) return cmpStr(a.txt, b.txt);
    for (const c of ['stacktrace', 'pid', 'tgid', 'name', 'allocator'] as const) {
      if (!this.cull.includes(c)) continue;
      const d = c === 'stacktrace' ? cmpStr(a.stack, b.stack) : c === 'pid' ? a.pid - b.pid : c === 'tgid' ? a.tgid - b.tgid : c === 'name' ? cmpStr(a.comm, b.comm) : a.allocator - b.allocator;
      if (d) return d;
    }
    return 0;
  }

  private sortCompare(a: Group, b: Group): number {
    const keys = this.sort.length ? this.sort : (['times'] as const);
    for (const k of keys) {
      let d = 0;
      switch (k) {
        case 'times':
          d = b.num - a.num;
          break;
        case 'pages':
          d = b.pages - a.pages;
          break;
        case 'pid':
          d = a.pid - b.pid;
          break;
        case 'tgid':
          d = a.tgid - b.tgid;
          break;
        case 'name':
          d = cmpStr(a.comm, b.comm);
          break;
        case 'stacktrace':
          d = cmpStr(a.stack, b.stack);
          break;
        case 'alloc_ts':
          d = a.tsNsec < b.tsNsec ? -1 : a.tsNsec > b.tsNsec ? 1 : 0;
          break;
        case 'txt':
          d = cmpStr(a.txt, b.txt);
          break;
      }
      if (d) return d;
    }
    return 0;
  }

  /** Lines of the sorted output, in order (glibc's qsort is a stable merge sort: ties keep cull order). */
  *render(): Generator<string> {
    const list = [...this.groups.values()].sort((a, b) => this.cullCompare(a, b));
    list.sort((a, b) => this.sortCompare(a, b));
    for (const g of list) {
      if (this.cull.length === 0) {
        if (this.printsAllocator) yield `${g.num} times, ${g.pages} pages, ${allocatorText(g.allocator)}:\n${g.txt}\n`;
        else yield `${g.num} times, ${g.pages} pages:\n${g.txt}\n`;
        continue;
      }
      let line = `${g.num} times, ${g.pages} pages`;
      if (this.cull.includes('pid')) line += `, PID ${g.pid}`;
      if (this.cull.includes('tgid')) line += `, TGID ${g.tgid}`;
      if (this.cull.includes('name')) line += `, task_comm_name: ${g.comm}`;
      if (this.cull.includes('allocator')) line += `, ${allocatorText(g.allocator)}`;
      if (this.cull.includes('stacktrace')) line += `:\n${g.stack}`;
      yield line + '\n';
    }
  }

  get groupCount(): number {
    return this.groups.size;
  }
}
