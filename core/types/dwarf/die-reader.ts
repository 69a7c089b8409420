/**
 * On-demand reading of single DIEs and their children, for decoding the few types a run touches.
 * Unlike the indexer this keeps every attribute's position so values can be read by name.
 */
import type { AbbrevStore } from './abbrev.js';
import { DW_AT, DW_FORM } from './constants.js';
import { ByteCursor, cStringAt } from './cursor.js';
import { DwarfError } from './dwarf-error.js';
import { UnknownFormError, skipForm } from './forms.js';
import type { DwarfSections } from './sections.js';
import type { UnitInfo, UnitTable } from './units.js';
import { SIGNATURE_REF, UNRESOLVABLE_REF, readFlag, readRef, readStrOffset, readUnsigned } from './values.js';

export class Die {
  constructor(
    readonly offset: number,
    readonly unit: UnitInfo,
    readonly tag: number,
    readonly hasChildren: boolean,
    /** Offset just past the attributes: the first child, or the next sibling when there are no children. */
    readonly end: number,
    /** Per attribute: name, form (DW_FORM_indirect already resolved), value offset, implicit constant. */
    readonly attrNames: readonly number[],
    readonly attrForms: readonly number[],
    readonly attrPos: readonly number[],
    readonly attrImplicit: readonly number[],
  ) {}

  indexOf(at: number): number {
    return this.attrNames.indexOf(at);
  }

  has(at: number): boolean {
    return this.attrNames.includes(at);
  }
}

export class DieReader {
  private readonly c: ByteCursor;

  constructor(
    private readonly s: DwarfSections,
    private readonly units: UnitTable,
    private readonly signatures: ReadonlyMap<bigint, number>,
    private readonly abbrevs: AbbrevStore,
  ) {
    this.c = new ByteCursor(s.info, s.littleEndian);
  }

  get littleEndian(): boolean {
    return this.s.littleEndian;
  }

  read(offset: number): Die {
    try {
      return this.readUnchecked(offset);
    } catch (e) {
      if (e instanceof UnknownFormError) throw new DwarfError(this.s.path, `${e.message} in DIE at 0x${offset.toString(16)}`);
      throw e;
    }
  }

  private readUnchecked(offset: number): Die {
    const unit = this.units.find(offset);
    if (!unit) throw new DwarfError(this.s.path, `DIE offset 0x${offset.toString(16)} is outside every unit`);
    const table = this.abbrevs.table(unit.abbrevOffset, unit);
    const st = this.abbrevs;
    const c = this.c;
    c.pos = offset;
    const code = c.uleb();
    const a = code === 0 ? -1 : table.indexOf(code);
    if (a < 0) throw new DwarfError(this.s.path, `no DIE at 0x${offset.toString(16)} (abbreviation code ${code})`);
    const names: number[] = [];
    const forms: number[] = [];
    const positions: number[] = [];
    const implicit: number[] = [];
    for (let k = st.attrStart[a]!; k < st.attrStart[a + 1]!; k++) {
      let form = st.attrForm[k]!;
      while (form === DW_FORM.indirect) form = c.uleb();
      names.push(st.attrName[k]!);
      forms.push(form);
      positions.push(c.pos);
      implicit.push(form === DW_FORM.implicit_const ? st.implicitConst[k]! : 0);
      skipForm(c, form, unit);
    }
    return new Die(offset, unit, st.tag[a]!, st.hasChildren[a] === 1, c.pos, names, forms, positions, implicit);
  }

  /** Direct children of a DIE, in order. */
  children(die: Die): Die[] {
    const out: Die[] = [];
    if (!die.hasChildren) return out;
    let pos = die.end;
    while (pos < die.unit.end && this.s.info[pos] !== 0) {
      const child = this.read(pos);
      out.push(child);
      pos = this.nextSibling(child);
    }
    return out;
  }

  /** Offset of the DIE after `die` at the same level (past its whole subtree). */
  nextSibling(die: Die): number {
    if (!die.hasChildren) return die.end;
    const sib = this.ref(die, DW_AT.sibling);
    if (sib !== undefined && sib > die.end && sib <= die.unit.end) return sib;
    let pos = die.end;
    while (pos < die.unit.end && this.s.info[pos] !== 0) pos = this.nextSibling(this.read(pos));
    return pos + 1; // past the terminating null entry
  }

  private at(die: Die, at: number): number {
    const i = die.indexOf(at);
    if (i >= 0) this.c.pos = die.attrPos[i]!;
    return i;
  }

  /** A reference attribute as an absolute offset (DW_FORM_ref_sig8 resolved through the type units). */
  ref(die: Die, at: number): number | undefined {
    const i = this.at(die, at);
    if (i < 0) return undefined;
    const form = die.attrForms[i]!;
    const target = readRef(this.c, form, die.unit);
    if (target === SIGNATURE_REF) {
      this.c.pos = die.attrPos[i]!;
      const sig = this.c.u64Big();
      const resolved = this.signatures.get(sig);
      if (resolved === undefined) throw new DwarfError(this.s.path, `DIE 0x${die.offset.toString(16)}: no type unit with signature 0x${sig.toString(16)}`);
      return resolved;
    }
    if (target === UNRESOLVABLE_REF) {
      throw new DwarfError(this.s.path, `DIE 0x${die.offset.toString(16)}: reference form 0x${form.toString(16)} points into another file (dwz supplementary files are not supported)`);
    }
    return target;
  }

  string(die: Die, at: number): string | undefined {
    const i = this.at(die, at);
    if (i < 0) return undefined;
    const form = die.attrForms[i]!;
    const c = this.c;
    if (form === DW_FORM.string) return c.cstring();
    if (form === DW_FORM.line_strp) return cStringAt(this.s.lineStr, c.uN(die.unit.offsetSize));
    const off = readStrOffset(c, form, die.unit, die.unit.strOffsetsBase, this.s.strOffsets);
    if (off >= 0) return cStringAt(this.s.str, off);
    if (form === DW_FORM.GNU_strp_alt) return undefined;
    throw new DwarfError(this.s.path, `DIE 0x${die.offset.toString(16)}: attribute 0x${at.toString(16)} has non-string form 0x${form.toString(16)}`);
  }

  flag(die: Die, at: number): boolean {
    const i = this.at(die, at);
    return i >= 0 && readFlag(this.c, die.attrForms[i]!, die.unit, die.attrImplicit[i]!);
  }

  /** A constant attribute as a number (sizes, bounds, offsets), or undefined when absent or not a constant. */
  number(die: Die, at: number): number | undefined {
    const i = this.at(die, at);
    if (i < 0) return undefined;
    const v = readUnsigned(this.c, die.attrForms[i]!, die.unit, die.attrImplicit[i]!);
    return Number.isNaN(v) ? undefined : v;
  }

  /** Form of an attribute, or 0 when absent. */
  form(die: Die, at: number): number {
    const i = die.indexOf(at);
    return i < 0 ? 0 : die.attrForms[i]!;
  }

  /**
   * A constant as a bigint: DW_FORM_sdata is signed, udata unsigned, and data1..16 are raw bits,
   * zero-extended unless `signExtendData` (see UnitInfo.producerIsClang).
   */
  bigConstant(die: Die, at: number, signExtendData: boolean): bigint | undefined {
    const i = this.at(die, at);
    if (i < 0) return undefined;
    const c = this.c;
    const form = die.attrForms[i]!;
    let bits: number;
    let raw: bigint;
    switch (form) {
      case DW_FORM.sdata:
        return c.slebBig();
      case DW_FORM.udata:
        return c.ulebBig();
      case DW_FORM.implicit_const:
        return BigInt(die.attrImplicit[i]!);
      case DW_FORM.data1:
        bits = 8;
        raw = BigInt(c.u8());
        break;
      case DW_FORM.data2:
        bits = 16;
        raw = BigInt(c.u16());
        break;
      case DW_FORM.data4:
        bits = 32;
        raw = BigInt(c.u32());
        break;
      case DW_FORM.data8:
        bits = 64;
        raw = c.u64Big();
        break;
      case DW_FORM.data16: {
        bits = 128;
        const first = c.u64Big();
        const second = c.u64Big();
        raw = c.le ? (second << 64n) | first : (first << 64n) | second;
        break;
      }
      default:
        return undefined;
    }
    return signExtendData ? BigInt.asIntN(bits, raw) : raw;
  }

  /** A block or exprloc attribute's bytes. */
  block(die: Die, at: number): Buffer | undefined {
    const i = this.at(die, at);
    if (i < 0) return undefined;
    const c = this.c;
    let len: number;
    switch (die.attrForms[i]!) {
      case DW_FORM.exprloc:
      case DW_FORM.block:
        len = c.uleb();
        break;
      case DW_FORM.block1:
        len = c.u8();
        break;
      case DW_FORM.block2:
        len = c.u16();
        break;
      case DW_FORM.block4:
        len = c.u32();
        break;
      default:
        return undefined;
    }
    return this.s.info.subarray(c.pos, c.pos + len);
  }

  isSignatureRef(die: Die, at: number): boolean {
    return this.form(die, at) === DW_FORM.ref_sig8;
  }
}
