/**
 * Abbreviation tables (DWARF 5 §7.5.3), parsed into flat typed arrays with a precomputed skip plan.
 *
 * A vmlinux has one table per compile unit (2000+), each with hundreds of entries, and the indexer
 * consults them for every DIE it passes; flat arrays keep that cheap in time and memory.
 */
import { DW_AT, DW_FORM } from './constants.js';
import { ByteCursor } from './cursor.js';
import { fixedFormSize, type FormContext } from './forms.js';

/** End marker of a skip plan (0 is not a valid form). */
const PLAN_END = 0;

export class AbbrevTable {
  /** Abbrev code → entry index (codes are small and dense in practice; a Map covers the rest). */
  private readonly denseIndex: Int32Array;
  private readonly sparseIndex: Map<number, number> | undefined;

  readonly tag: Uint16Array;
  readonly hasChildren: Uint8Array;
  /** Entry's attributes are attrName/attrForm[attrStart[i] .. attrStart[i+1]). */
  readonly attrStart: Uint32Array;
  readonly attrName: Uint16Array;
  readonly attrForm: Uint16Array;
  /** DW_FORM_implicit_const values, parallel to attrName (0 elsewhere). */
  readonly implicitConst: Float64Array;
  /** Total attribute bytes when every form is fixed-size, else -1 (then walk `plan`). */
  readonly fixedSize: Int32Array;
  /**
   * Per entry, from planStart[i]: [fixed bytes, variable form, fixed bytes, variable form, …, fixed bytes, PLAN_END].
   * Runs of fixed-size forms are pre-summed, so skipping a DIE costs one step per variable-size attribute.
   */
  readonly planStart: Uint32Array;
  readonly plan: Int32Array;
  /** Byte offset of DW_AT_sibling inside the attribute block when everything before it is fixed-size, else -1. */
  readonly siblingOffset: Int32Array;
  /** Form of DW_AT_sibling, or 0 when the entry has none. */
  readonly siblingForm: Uint16Array;

  constructor(section: Buffer, offset: number, ctx: FormContext) {
    const c = new ByteCursor(section, true); // abbreviations are all LEB128 and bytes: endian-free
    c.pos = offset;
    const codes: number[] = [];
    const tags: number[] = [];
    const children: number[] = [];
    const attrStart: number[] = [];
    const names: number[] = [];
    const forms: number[] = [];
    const implicit: number[] = [];
    for (;;) {
      if (c.pos >= section.length) break; // a table may end with the section instead of a 0 code
      const code = c.uleb();
      if (code === 0) break;
      codes.push(code);
      tags.push(c.uleb());
      children.push(c.u8());
      attrStart.push(names.length);
      for (;;) {
        const name = c.uleb();
        const form = c.uleb();
        if (name === 0 && form === 0) break;
        names.push(name);
        forms.push(form);
        implicit.push(form === DW_FORM.implicit_const ? c.sleb() : 0);
      }
    }
    attrStart.push(names.length);
    const n = codes.length;
    this.tag = Uint16Array.from(tags);
    this.hasChildren = Uint8Array.from(children);
    this.attrStart = Uint32Array.from(attrStart);
    this.attrName = Uint16Array.from(names);
    this.attrForm = Uint16Array.from(forms);
    this.implicitConst = Float64Array.from(implicit);

    let maxCode = 0;
    for (const code of codes) if (code > maxCode) maxCode = code;
    if (maxCode <= 4 * n + 64) {
      this.denseIndex = new Int32Array(maxCode + 1).fill(-1);
      codes.forEach((code, i) => (this.denseIndex[code] = i));
    } else {
      this.denseIndex = new Int32Array(0);
      this.sparseIndex = new Map(codes.map((code, i) => [code, i]));
    }

    this.fixedSize = new Int32Array(n);
    this.siblingOffset = new Int32Array(n).fill(-1);
    this.siblingForm = new Uint16Array(n);
    this.planStart = new Uint32Array(n);
    const plan: number[] = [];
    for (let i = 0; i < n; i++) {
      this.planStart[i] = plan.length;
      let run = 0;
      let total = 0;
      let allFixed = true;
      for (let k = attrStart[i]!; k < attrStart[i + 1]!; k++) {
        const size = fixedFormSize(forms[k]!, ctx);
        if (names[k] === DW_AT.sibling) {
          this.siblingForm[i] = forms[k]!;
          if (allFixed) this.siblingOffset[i] = total;
        }
        if (size >= 0) {
          run += size;
          total += size;
        } else {
          plan.push(run, forms[k]!);
          run = 0;
          allFixed = false;
        }
      }
      plan.push(run, PLAN_END);
      this.fixedSize[i] = allFixed ? total : -1;
    }
    this.plan = Int32Array.from(plan);
  }

  get size(): number {
    return this.tag.length;
  }

  /** Entry index for an abbreviation code, or -1. */
  indexOf(code: number): number {
    if (this.sparseIndex) return this.sparseIndex.get(code) ?? -1;
    return code < this.denseIndex.length ? this.denseIndex[code]! : -1;
  }
}

/**
 * Parsed tables keyed by (offset, unit shape): the same table bytes give different skip plans for
 * different address/offset sizes, so the key includes them.
 */
export class AbbrevCache {
  private readonly tables = new Map<number, AbbrevTable>();

  constructor(private readonly section: Buffer) {}

  get(offset: number, ctx: FormContext): AbbrevTable {
    const key = offset * 512 + ctx.addrSize * 32 + ctx.offsetSize * 2 + (ctx.version <= 2 ? 1 : 0);
    let t = this.tables.get(key);
    if (!t) {
      t = new AbbrevTable(this.section, offset, ctx);
      this.tables.set(key, t);
    }
    return t;
  }

  clear(): void {
    this.tables.clear();
  }
}
