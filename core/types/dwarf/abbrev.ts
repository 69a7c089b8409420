/**
 * Abbreviation tables (DWARF 5 §7.5.3), parsed into flat typed arrays with a precomputed skip plan.
 *
 * A vmlinux has one table per compile unit (2000+, ~350k entries in all), and the indexer consults
 * them for every DIE it passes. All tables live in one AbbrevStore of shared, growable typed arrays:
 * a dozen small typed arrays per table would each get an off-heap backing store, and allocating
 * (and collecting) ~30k of those cost more than parsing the tables.
 */
import { DW_AT, DW_FORM } from './constants.js';
import { fixedFormSize, formSizeTable, type FormContext } from './forms.js';

/** End marker of a skip plan (0 is not a valid form). */
const PLAN_END = 0;

/** One parsed table: maps abbreviation codes to entry ids in its store. */
export class AbbrevTable {
  constructor(
    readonly store: AbbrevStore,
    private readonly codeBase: number,
    private readonly codeLimit: number,
    private readonly sparse: Map<number, number> | undefined,
  ) {}

  /** Entry id for an abbreviation code, or -1. */
  indexOf(code: number): number {
    if (this.sparse) return this.sparse.get(code) ?? -1;
    return code < this.codeLimit ? this.store.codeMap[this.codeBase + code]! : -1;
  }
}

/**
 * Entries of every parsed table, indexed by entry id. The arrays are replaced when they grow, so
 * callers re-read them after asking for a new table.
 */
export class AbbrevStore {
  tag: Uint16Array;
  hasChildren: Uint8Array;
  /** Entry e's attributes are attrName/attrForm[attrStart[e] .. attrStart[e + 1]). */
  attrStart: Uint32Array;
  attrName: Uint16Array;
  attrForm: Uint16Array;
  /** DW_FORM_implicit_const values, parallel to attrName (gcc 11+ uses them for most decl_file/line attributes). */
  implicitConst: Float64Array;
  /** Total attribute bytes when every form is fixed-size, else -1 (then walk `plan`). */
  fixedSize: Int32Array;
  /** Byte offset of DW_AT_sibling inside the attribute block when everything before it is fixed-size, else -1. */
  siblingOffset: Int32Array;
  /** Form of DW_AT_sibling, or 0 when the entry has none. */
  siblingForm: Uint16Array;
  /**
   * From planStart[e]: [fixed bytes, variable form, fixed bytes, variable form, …, fixed bytes, PLAN_END].
   * Runs of fixed-size forms are pre-summed, so skipping a DIE costs one step per variable-size attribute.
   */
  planStart: Uint32Array;
  plan: Int32Array;
  /** Dense code → entry id maps of all tables, back to back. */
  codeMap: Int32Array;

  private entries = 0;
  private attrs = 0;
  private planLength = 0;
  private codeMapLength = 0;
  private readonly tables = new Map<number, AbbrevTable>();

  constructor(private readonly section: Buffer) {
    // Sized from the section so a whole-kernel index rarely regrows: gcc's tables average about
    // 16 bytes per entry and 3 bytes per attribute specification.
    const entries = (section.length >> 4) + 1024;
    const attrs = ((section.length / 3) | 0) + 4096;
    this.tag = new Uint16Array(entries);
    this.hasChildren = new Uint8Array(entries);
    this.attrStart = new Uint32Array(entries + 1);
    this.fixedSize = new Int32Array(entries);
    this.siblingOffset = new Int32Array(entries);
    this.siblingForm = new Uint16Array(entries);
    this.planStart = new Uint32Array(entries);
    this.codeMap = new Int32Array(entries + 4096);
    this.attrName = new Uint16Array(attrs);
    this.attrForm = new Uint16Array(attrs);
    this.implicitConst = new Float64Array(attrs);
    this.plan = new Int32Array(entries * 4);
  }

  get entryCount(): number {
    return this.entries;
  }

  /**
   * The table at `offset`, parsed once per unit shape: the same bytes give different skip plans for
   * different address/offset sizes.
   */
  table(offset: number, ctx: FormContext): AbbrevTable {
    const key = offset * 512 + ctx.addrSize * 32 + ctx.offsetSize * 2 + (ctx.version <= 2 ? 1 : 0);
    let t = this.tables.get(key);
    if (!t) {
      t = this.parse(offset, ctx);
      this.tables.set(key, t);
    }
    return t;
  }

  private parse(offset: number, ctx: FormContext): AbbrevTable {
    const section = this.section;
    const sizes = formSizeTable(ctx);
    // Pass 1: count, so pass 2 writes into arrays that are already big enough.
    let p = offset;
    let n = 0;
    let attrs = 0;
    let variable = 0;
    let maxCode = 0;
    while (p < section.length) {
      const code = uleb(section, p);
      p = ulebEnd;
      if (code === 0) break;
      if (code > maxCode) maxCode = code;
      n++;
      p = skipUleb(section, p) + 1; // tag, children flag
      for (;;) {
        const name = uleb(section, p);
        const form = uleb(section, ulebEnd);
        p = ulebEnd;
        if (name === 0 && form === 0) break;
        attrs++;
        if (form === DW_FORM.implicit_const) p = skipUleb(section, p);
        if (formSize(sizes, form) < 0) variable++;
      }
    }
    const dense = maxCode <= 4 * n + 64;
    this.reserve(n, attrs, 2 * (variable + n), dense ? maxCode + 1 : 0);

    const { tag, hasChildren, attrStart, attrName, attrForm, implicitConst, fixedSize, siblingOffset, siblingForm, planStart, plan, codeMap } = this;
    const codeBase = this.codeMapLength;
    const sparse = dense ? undefined : new Map<number, number>();
    if (dense) codeMap.fill(-1, codeBase, codeBase + maxCode + 1);
    // Pass 2: fill.
    p = offset;
    let e = this.entries;
    let k = this.attrs;
    let q = this.planLength;
    for (let i = 0; i < n; i++, e++) {
      const code = uleb(section, p);
      if (sparse) sparse.set(code, e);
      else codeMap[codeBase + code] = e;
      tag[e] = uleb(section, ulebEnd);
      p = ulebEnd;
      hasChildren[e] = section[p++]!;
      attrStart[e] = k;
      planStart[e] = q;
      siblingOffset[e] = -1;
      siblingForm[e] = 0;
      let run = 0;
      let total = 0;
      let allFixed = true;
      for (;;) {
        const name = uleb(section, p);
        const form = uleb(section, ulebEnd);
        p = ulebEnd;
        if (name === 0 && form === 0) break;
        attrName[k] = name;
        attrForm[k] = form;
        if (form === DW_FORM.implicit_const) {
          implicitConst[k] = sleb(section, p);
          p = ulebEnd;
        }
        k++;
        if (name === DW_AT.sibling) {
          siblingForm[e] = form;
          if (allFixed) siblingOffset[e] = total;
        }
        const size = formSize(sizes, form);
        if (size >= 0) {
          run += size;
          total += size;
        } else {
          plan[q++] = run;
          plan[q++] = form;
          run = 0;
          allFixed = false;
        }
      }
      plan[q++] = run;
      plan[q++] = PLAN_END;
      fixedSize[e] = allFixed ? total : -1;
    }
    attrStart[e] = k;
    this.entries = e;
    this.attrs = k;
    this.planLength = q;
    this.codeMapLength += dense ? maxCode + 1 : 0;
    return new AbbrevTable(this, codeBase, dense ? maxCode + 1 : 0, sparse);
  }

  private reserve(entries: number, attrs: number, plan: number, codes: number): void {
    const needEntries = this.entries + entries + 1;
    if (needEntries > this.tag.length) {
      const size = grow(this.tag.length, needEntries);
      this.tag = resized(this.tag, size);
      this.hasChildren = resized(this.hasChildren, size);
      this.attrStart = resized(this.attrStart, size + 1);
      this.fixedSize = resized(this.fixedSize, size);
      this.siblingOffset = resized(this.siblingOffset, size);
      this.siblingForm = resized(this.siblingForm, size);
      this.planStart = resized(this.planStart, size);
    }
    if (this.attrs + attrs > this.attrName.length) {
      const size = grow(this.attrName.length, this.attrs + attrs);
      this.attrName = resized(this.attrName, size);
      this.attrForm = resized(this.attrForm, size);
      this.implicitConst = resized(this.implicitConst, size);
    }
    if (this.planLength + plan > this.plan.length) this.plan = resized(this.plan, grow(this.plan.length, this.planLength + plan));
    if (this.codeMapLength + codes > this.codeMap.length) this.codeMap = resized(this.codeMap, grow(this.codeMap.length, this.codeMapLength + codes));
  }
}

function grow(current: number, needed: number): number {
  let size = current;
  while (size < needed) size *= 2;
  return size;
}

function resized<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(a: T, size: number): T {
  const out = new (a.constructor as new (n: number) => T)(size);
  out.set(a);
  return out;
}

function formSize(sizes: Int8Array, form: number): number {
  const size = form < sizes.length ? sizes[form]! : -2;
  if (size !== -2) return size;
  // GNU forms, and anything unknown (which throws, naming the form).
  return fixedFormSize(form, { addrSize: 8, offsetSize: sizes[DW_FORM.strp]!, version: 5 });
}

/** Where the last uleb()/sleb() call stopped (module state keeps these helpers allocation-free). */
let ulebEnd = 0;

function uleb(b: Buffer, p: number): number {
  let byte = b[p++]!;
  let result = byte & 0x7f;
  let mul = 0x80;
  while (byte >= 0x80) {
    byte = b[p++]!;
    result += (byte & 0x7f) * mul;
    mul *= 0x80;
  }
  ulebEnd = p;
  return result;
}

function sleb(b: Buffer, p: number): number {
  let result = 0;
  let mul = 1;
  let byte: number;
  do {
    byte = b[p++]!;
    result += (byte & 0x7f) * mul;
    mul *= 0x80;
  } while (byte >= 0x80);
  ulebEnd = p;
  return byte & 0x40 ? result - mul : result;
}

function skipUleb(b: Buffer, p: number): number {
  while (b[p++]! >= 0x80);
  return p;
}
