/**
 * Decoding attribute values by form class (DWARF 5 §7.5.5): references, flags, strings, constants.
 * Shared by the fast indexer and the on-demand DIE reader.
 */
import { DW_FORM } from './constants.js';
import { readU32, type ByteCursor } from './cursor.js';
import { skipForm } from './forms.js';
import type { UnitHeader } from './units.js';

/** A reference that cannot be followed in this file (DW_FORM_GNU_ref_alt into a dwz supplementary file). */
export const UNRESOLVABLE_REF = -1;
/** A DW_FORM_ref_sig8 reference; the caller reads the signature itself. */
export const SIGNATURE_REF = -2;

/** Read a reference and return the absolute .debug_info offset it names. */
export function readRef(c: ByteCursor, form: number, unit: UnitHeader): number {
  switch (form) {
    case DW_FORM.ref1:
      return unit.offset + c.u8();
    case DW_FORM.ref2:
      return unit.offset + c.u16();
    case DW_FORM.ref4:
      return unit.offset + c.u32();
    case DW_FORM.ref8:
      return unit.offset + c.u64();
    case DW_FORM.ref_udata:
      return unit.offset + c.uleb();
    case DW_FORM.ref_addr:
      // Offset from the start of .debug_info (which sits at 0 in our combined buffer).
      return c.uN(unit.version <= 2 ? unit.addrSize : unit.offsetSize);
    case DW_FORM.ref_sig8:
      c.pos += 8;
      return SIGNATURE_REF;
    default:
      skipForm(c, form, unit);
      return UNRESOLVABLE_REF;
  }
}

export function readFlag(c: ByteCursor, form: number, unit: UnitHeader, implicit: number): boolean {
  if (form === DW_FORM.flag_present) return true;
  if (form === DW_FORM.flag) return c.u8() !== 0;
  // Flags in a constant form (gcc's DW_FORM_implicit_const) read as "non-zero".
  return readUnsigned(c, form, unit, implicit) !== 0;
}

/**
 * Unsigned value of a constant form, as a number (exact below 2^53; byte sizes, offsets and bounds
 * always are). `implicit` is the abbreviation's DW_FORM_implicit_const value.
 */
export function readUnsigned(c: ByteCursor, form: number, unit: UnitHeader, implicit: number): number {
  switch (form) {
    case DW_FORM.data1:
    case DW_FORM.flag:
      return c.u8();
    case DW_FORM.data2:
      return c.u16();
    case DW_FORM.data4:
      return c.u32();
    case DW_FORM.data8:
      return c.u64();
    case DW_FORM.udata:
      return c.uleb();
    case DW_FORM.sdata:
      return c.sleb();
    case DW_FORM.implicit_const:
      return implicit;
    case DW_FORM.sec_offset:
      // Section offsets (DW_AT_str_offsets_base, …): offset-sized.
      return c.uN(unit.offsetSize);
    case DW_FORM.flag_present:
      return 1;
    case DW_FORM.data16: {
      // 128 bits in target byte order; the low half is first on little-endian targets.
      const first = c.u64Big();
      const second = c.u64Big();
      return Number(c.le ? first : second);
    }
    default:
      skipForm(c, form, unit);
      return NaN;
  }
}

/**
 * Resolve a string-offset form (strp, strx*, GNU_str_index) to an offset in .debug_str, or -1 for
 * other forms (the caller handles DW_FORM_string / line_strp and skips the value).
 */
export function readStrOffset(c: ByteCursor, form: number, unit: UnitHeader, strOffsetsBase: number, strOffsets: Buffer): number {
  let index: number;
  switch (form) {
    case DW_FORM.strp:
      return c.uN(unit.offsetSize);
    case DW_FORM.strx1:
      index = c.u8();
      break;
    case DW_FORM.strx2:
      index = c.u16();
      break;
    case DW_FORM.strx3:
      index = c.u24();
      break;
    case DW_FORM.strx4:
      index = c.u32();
      break;
    case DW_FORM.strx:
    case DW_FORM.GNU_str_index:
      index = c.uleb();
      break;
    default:
      return -1;
  }
  // DWARF 5 §7.26: .debug_str_offsets holds offset-sized entries starting at the unit's base.
  const at = strOffsetsBase + index * unit.offsetSize;
  if (at + unit.offsetSize > strOffsets.length) return -1;
  if (unit.offsetSize === 4) return readU32(strOffsets, at, c.le);
  const hi = readU32(strOffsets, c.le ? at + 4 : at, c.le);
  const lo = readU32(strOffsets, c.le ? at : at + 4, c.le);
  return hi * 0x100000000 + lo;
}

/** Default DW_AT_str_offsets_base: just past the 8- or 16-byte header of the first contribution. */
export function defaultStrOffsetsBase(unit: UnitHeader): number {
  return unit.version >= 5 ? (unit.offsetSize === 8 ? 16 : 8) : 0;
}
