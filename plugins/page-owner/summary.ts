/**
 * page_owner_summary.txt: the attribution workflow of the user story done for the user — pages and
 * bytes per process group (tgid, all its threads), per order, per migratetype, per stack, and per
 * category of kernel entry point (rules in categories.json, extendable with --categories FILE).
 */
import { readFileSync } from 'node:fs';
import { RamparseError } from '../../core/util/errors.js';

export interface CategoryRule {
  readonly name: string;
  readonly frames: readonly string[];
}

/** Parse a categories file: {"rules": [{"name": "GPU", "frames": ["kgsl_ioctl", …]}, …]}. */
export function parseCategoryRules(text: string, where: string): CategoryRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new RamparseError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  const rules = (doc as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) throw new RamparseError(`${where}: expected {"rules": [{"name": ..., "frames": [...]}]}`);
  return rules.map((r, i) => {
    const rule = r as { name?: unknown; frames?: unknown };
    if (typeof rule.name !== 'string' || !Array.isArray(rule.frames) || !rule.frames.every((f) => typeof f === 'string')) {
      throw new RamparseError(`${where}: rule ${i} needs a "name" string and a "frames" array of function names`);
    }
    return { name: rule.name, frames: rule.frames as string[] };
  });
}

/** The user's rules (tried first) followed by the defaults. */
export function loadCategoryRules(defaults: readonly CategoryRule[], userFile?: string): CategoryRule[] {
  if (!userFile) return [...defaults];
  let text: string;
  try {
    text = readFileSync(userFile, 'utf8');
  } catch (e) {
    throw new RamparseError(`${userFile}: cannot read categories file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return [...parseCategoryRules(text, userFile), ...defaults];
}

/** Function name of a %pS string: "do_mmap+0x1c/0x80 [mod]" → "do_mmap". */
export function frameFunction(sym: string): string {
  const plus = sym.indexOf('+');
  return plus > 0 ? sym.slice(0, plus) : sym;
}

export class Categorizer {
  private readonly byFunction = new Map<string, number>();
  private readonly cache = new Map<number, string>();

  constructor(readonly rules: readonly CategoryRule[]) {
    rules.forEach((r, i) => {
      for (const f of r.frames) if (!this.byFunction.has(f)) this.byFunction.set(f, i);
    });
  }

  /** First rule (in rule order) any frame matches; "other" when none. Cached per stack handle. */
  categorize(handle: number, frames: readonly string[]): string {
    const hit = this.cache.get(handle);
    if (hit) return hit;
    let best = Infinity;
    for (const f of frames) {
      const i = this.byFunction.get(frameFunction(f));
      if (i !== undefined && i < best) best = i;
    }
    const name = best === Infinity ? 'other' : this.rules[best]!.name;
    this.cache.set(handle, name);
    return name;
  }
}

interface Bucket {
  records: number;
  pages: number;
}

function add<K>(map: Map<K, Bucket>, key: K, pages: number): void {
  const b = map.get(key);
  if (b) {
    b.records++;
    b.pages += pages;
  } else map.set(key, { records: 1, pages });
}

export interface SummaryInput {
  readonly tgid: number;
  readonly pid: number;
  readonly comm: string;
  readonly order: number;
  readonly migratetype: string;
  readonly handle: number;
  readonly pages: number;
  readonly category: string;
}

export class PageOwnerSummary {
  private readonly byTgid = new Map<number, Bucket>();
  private readonly tgidComms = new Map<number, Map<string, number>>();
  private readonly byOrder = new Map<number, Bucket>();
  private readonly byMigratetype = new Map<string, Bucket>();
  private readonly byCategory = new Map<string, Bucket>();
  private readonly byStack = new Map<number, Bucket>();
  private records = 0;
  private pages = 0;

  constructor(
    private readonly pageSize: number,
    /** Kernels before 5.18 record no tgid: group by pid instead. */
    private readonly hasTgid: boolean,
  ) {}

  add(r: SummaryInput): void {
    this.records++;
    this.pages += r.pages;
    const id = this.hasTgid ? r.tgid : r.pid;
    add(this.byTgid, id, r.pages);
    let comms = this.tgidComms.get(id);
    if (!comms) this.tgidComms.set(id, (comms = new Map()));
    comms.set(r.comm, (comms.get(r.comm) ?? 0) + r.pages);
    add(this.byOrder, r.order, r.pages);
    add(this.byMigratetype, r.migratetype, r.pages);
    add(this.byCategory, r.category, r.pages);
    add(this.byStack, r.handle, r.pages);
  }

  private kib(pages: number): string {
    return String((pages * this.pageSize) / 1024);
  }

  private table<K extends string | number>(title: string, keyTitle: string, rows: Array<[K, Bucket]>, extra?: (key: K) => string): string[] {
    const out = [title, `${'PAGES'.padStart(10)} ${'KiB'.padStart(12)} ${'RECORDS'.padStart(9)}  ${keyTitle}`];
    for (const [k, b] of rows) out.push(`${String(b.pages).padStart(10)} ${this.kib(b.pages).padStart(12)} ${String(b.records).padStart(9)}  ${k}${extra ? extra(k) : ''}`);
    out.push('');
    return out;
  }

  render(stackFrames: (handle: number) => readonly string[], topStacks = 30): string[] {
    const byPages = (a: [unknown, Bucket], b: [unknown, Bucket]) => b[1].pages - a[1].pages || b[1].records - a[1].records;
    const lines: string[] = [];
    lines.push(`page_owner summary: ${this.records} allocations, ${this.pages} pages, ${this.kib(this.pages)} KiB (page size ${this.pageSize})`);
    lines.push('');
    const who = this.hasTgid ? 'TGID (threads\' comms, most pages first)' : 'PID (comm)';
    lines.push(
      ...this.table(`By process group (${this.hasTgid ? 'tgid' : 'pid'}):`, who, [...this.byTgid.entries()].sort(byPages), (k) => {
        const comms = [...(this.tgidComms.get(k)?.entries() ?? [])].sort((a, b) => b[1] - a[1]).map(([c]) => c);
        return ` ${comms.slice(0, 4).join(', ')}${comms.length > 4 ? `, ... (+${comms.length - 4})` : ''}`;
      }),
    );
    lines.push(...this.table('By category (first matching kernel entry point):', 'CATEGORY', [...this.byCategory.entries()].sort(byPages)));
    lines.push(...this.table('By order:', 'ORDER', [...this.byOrder.entries()].sort((a, b) => a[0] - b[0])));
    lines.push(...this.table('By migratetype of the allocation:', 'MIGRATETYPE', [...this.byMigratetype.entries()].sort(byPages)));
    lines.push(`Top ${topStacks} stacks by pages:`);
    for (const [handle, b] of [...this.byStack.entries()].sort(byPages).slice(0, topStacks)) {
      lines.push(`${b.pages} pages (${this.kib(b.pages)} KiB), ${b.records} allocations, stack handle 0x${handle.toString(16)}:`);
      for (const f of stackFrames(handle)) lines.push(` ${f}`);
      lines.push('');
    }
    return lines;
  }
}
