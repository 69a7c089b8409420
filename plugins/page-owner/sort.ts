/**
 * tools/mm/page_owner_sort (tools/vm before 6.0) built in. Its default: records grouped by their text
 * with the PFN line dropped and the digits of the first "ts <n> ns" removed, sorted by times seen
 * (ties keep text order: glibc's qsort is a stable merge sort). --cull/--sort keys as the tool has.
 *
 * For speed the group key is built from the header with its ts digits removed, an id per distinct
 * stack text and the remaining lines — equal keys exactly when the tool's texts are equal, without
 * hashing the whole stack text per record.
 */
export interface SortInput {
  /** Short key equal exactly when the headers without ts digits are equal. */
  readonly headerKey: string;
  /** Frames text (" %pS\n" lines). */
  readonly stack: string;
  /** Small integer naming the stack text (equal ids ⇔ equal texts). */
  readonly stackId: number;
  /** Migrate-reason and memcg lines. */
  readonly rest: string;
  /** get_allocator() bits: CMA/slab from the PFN line, VMALLOC from the stack (0 = none yet). */
  readonly allocator: number;
  readonly pid: number;
  readonly tgid: number;
  readonly comm: string;
  readonly pages: number;
  readonly tsNsec: bigint;
}

export type CullKey = 'pid' | 'tgid' | 'name' | 'stacktrace' | 'allocator';
export type SortKey = 'pid' | 'tgid' | 'name' | 'stacktrace' | 'times' | 'pages' | 'alloc_ts' | 'txt';

interface Group {
  readonly headerNoTs: string;
  readonly stack: string;
  readonly rest: string;
  readonly pid: number;
  readonly tgid: number;
  readonly comm: string;
  readonly tsNsec: bigint;
  readonly allocator: number;
  num: number;
  pages: number;
  txt?: string;
}

const ALLOCATOR_CMA = 1 << 1;
const ALLOCATOR_SLAB = 1 << 2;
export const ALLOCATOR_VMALLOC = 1 << 3;
const ALLOCATOR_OTHERS = 1 << 4;

/** The vmalloc part of get_allocator(): "__vmalloc_node_range" on the line after one with "alloc_pages". */
export function stackAllocator(text: string): number {
  const v = text.indexOf('__vmalloc_node_range');
  if (v < 0) return 0;
  const lineStart = text.lastIndexOf('\n', v);
  const prevStart = lineStart > 0 ? text.lastIndexOf('\n', lineStart - 1) + 1 : 0;
  const ap = text.indexOf('alloc_pages', prevStart);
  return ap >= 0 && ap < v ? ALLOCATOR_VMALLOC : 0;
}

/** The get_allocator() bits the PFN line gives: "CMA" and "slab" anywhere in it. */
export function pfnLineAllocatorBits(pfnLine: string): number {
  let a = 0;
  if (pfnLine.includes('CMA')) a |= ALLOCATOR_CMA;
  if (pfnLine.includes('slab')) a |= ALLOCATOR_SLAB;
  return a;
}

function allocatorText(a: number): string {
  let s = 'allocated by ';
  if (a & ALLOCATOR_CMA) s += 'CMA ';
  if (a & ALLOCATOR_SLAB) s += 'SLAB ';
  if (a & ALLOCATOR_VMALLOC) s += 'VMALLOC ';
  if (a & ALLOCATOR_OTHERS) s += 'OTHERS ';
  return s;
}

/**
 * remove_pattern(ts_nsec_pattern): drop the digits of the first "ts <n> ns". The header line always
 * holds that field, so the first match of the whole record is in its header.
 */
export function removeTsDigits(text: string): string {
  return text.replace(/ts\s*([0-9]*)\s*ns/, (m, digits: string) => m.replace(digits, ''));
}

function cmpStr(a: string, b: string): number {
  // strcmp order: latin1 strings compare code units = bytes
  return a < b ? -1 : a > b ? 1 : 0;
}

export class PageOwnerSorter<R = unknown> {
  private readonly groups = new Map<string, Group>();

  constructor(
    /** The header line without ts digits, asked only for the first record of each group. */
    private readonly headerNoTsOf: (record: R) => string,
    private readonly cull: readonly CullKey[],
    private readonly sort: readonly SortKey[],
    /** Kernels ≥6.7 ship the page_owner_sort that prints ", allocated by …". */
    private readonly printsAllocator: boolean,
  ) {}

  private readonly restIds = new Map<string, number>();

  add(r: SortInput, record: R): void {
    const allocator = r.allocator || ALLOCATOR_OTHERS;
    let key: string;
    if (this.cull.length === 0) {
      let restId = this.restIds.get(r.rest);
      if (restId === undefined) this.restIds.set(r.rest, (restId = this.restIds.size));
      key = `${r.stackId}:${restId}:${r.headerKey}`;
    }
    else {
      key = this.cull
        .map((c) => (c === 'pid' ? r.pid : c === 'tgid' ? r.tgid : c === 'name' ? r.comm : c === 'stacktrace' ? `${r.stackId}\u0001${r.rest}` : allocator))
        .join('\u0000');
    }
    const g = this.groups.get(key);
    if (g) {
      g.num++;
      g.pages += r.pages;
      return;
    }
    this.groups.set(key, { headerNoTs: this.headerNoTsOf(record), stack: r.stack, rest: r.rest, pid: r.pid, tgid: r.tgid, comm: r.comm, tsNsec: r.tsNsec, allocator, num: 1, pages: r.pages });
  }

  private txt(g: Group): string {
    g.txt ??= g.headerNoTs + g.stack + g.rest;
    return g.txt;
  }

  /** page_owner_sort's "stacktrace": everything after the header line. */
  private stacktrace(g: Group): string {
    return g.stack + g.rest;
  }

  private cullCompare(a: Group, b: Group): number {
    if (this.cull.length === 0) return cmpStr(this.txt(a), this.txt(b));
    for (const c of ['stacktrace', 'pid', 'tgid', 'name', 'allocator'] as const) {
      if (!this.cull.includes(c)) continue;
      const d =
        c === 'stacktrace' ? cmpStr(this.stacktrace(a), this.stacktrace(b)) : c === 'pid' ? a.pid - b.pid : c === 'tgid' ? a.tgid - b.tgid : c === 'name' ? cmpStr(a.comm, b.comm) : a.allocator - b.allocator;
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
          d = cmpStr(this.stacktrace(a), this.stacktrace(b));
          break;
        case 'alloc_ts':
          d = a.tsNsec < b.tsNsec ? -1 : a.tsNsec > b.tsNsec ? 1 : 0;
          break;
        case 'txt':
          d = cmpStr(this.txt(a), this.txt(b));
          break;
      }
      if (d) return d;
    }
    return 0;
  }

  /** Output blocks, in order. */
  *render(): Generator<string> {
    const list = [...this.groups.values()].sort((a, b) => this.cullCompare(a, b));
    list.sort((a, b) => this.sortCompare(a, b));
    for (const g of list) {
      if (this.cull.length === 0) {
        if (this.printsAllocator) yield `${g.num} times, ${g.pages} pages, ${allocatorText(g.allocator)}:\n${this.txt(g)}\n`;
        else yield `${g.num} times, ${g.pages} pages:\n${this.txt(g)}\n`;
        continue;
      }
      let line = `${g.num} times, ${g.pages} pages`;
      if (this.cull.includes('pid')) line += `, PID ${g.pid}`;
      if (this.cull.includes('tgid')) line += `, TGID ${g.tgid}`;
      if (this.cull.includes('name')) line += `, task_comm_name: ${g.comm}`;
      if (this.cull.includes('allocator')) line += `, ${allocatorText(g.allocator)}`;
      if (this.cull.includes('stacktrace')) line += `:\n${this.stacktrace(g)}`;
      yield line + '\n';
    }
  }
}
