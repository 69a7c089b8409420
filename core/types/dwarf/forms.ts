/**
 * Attribute form sizes (DWARF 5 §7.5.6) and skipping.
 *
 * A form's size depends only on the unit's address size and offset size (4 for 32-bit DWARF, 8 for
 * 64-bit DWARF), plus DW_FORM_ref_addr which is address-sized in DWARF 2 and offset-sized after.
 */
import { DW_FORM } from './constants.js';
import type { ByteCursor } from './cursor.js';

export interface FormContext {
  readonly addrSize: number;
  readonly offsetSize: number;
  readonly version: number;
}

/** Byte size of a fixed-size form, or -1 for a form whose size is in the data. Throws for unknown forms. */
export function fixedFormSize(form: number, ctx: FormContext): number {
  switch (form) {
    case DW_FORM.flag_present:
    case DW_FORM.implicit_const:
      return 0;
    case DW_FORM.data1:
    case DW_FORM.ref1:
    case DW_FORM.flag:
    case DW_FORM.strx1:
    case DW_FORM.addrx1:
      return 1;
    case DW_FORM.data2:
    case DW_FORM.ref2:
    case DW_FORM.strx2:
    case DW_FORM.addrx2:
      return 2;
    case DW_FORM.strx3:
    case DW_FORM.addrx3:
      return 3;
    case DW_FORM.data4:
    case DW_FORM.ref4:
    case DW_FORM.ref_sup4:
    case DW_FORM.strx4:
    case DW_FORM.addrx4:
      return 4;
    case DW_FORM.data8:
    case DW_FORM.ref8:
    case DW_FORM.ref_sig8:
    case DW_FORM.ref_sup8:
      return 8;
    case DW_FORM.data16:
      return 16;
    case DW_FORM.addr:
      return ctx.addrSize;
    case DW_FORM.ref_addr:
      return ctx.version <= 2 ? ctx.addrSize : ctx.offsetSize;
    case DW_FORM.strp:
    case DW_FORM.line_strp:
    case DW_FORM.sec_offset:
    case DW_FORM.strp_sup:
    case DW_FORM.GNU_ref_alt:
    case DW_FORM.GNU_strp_alt:
      return ctx.offsetSize;
    case DW_FORM.string:
    case DW_FORM.block:
    case DW_FORM.block1:
    case DW_FORM.block2:
    case DW_FORM.block4:
    case DW_FORM.exprloc:
    case DW_FORM.sdata:
    case DW_FORM.udata:
    case DW_FORM.ref_udata:
    case DW_FORM.strx:
    case DW_FORM.addrx:
    case DW_FORM.loclistx:
    case DW_FORM.rnglistx:
    case DW_FORM.indirect:
    case DW_FORM.GNU_addr_index:
    case DW_FORM.GNU_str_index:
      return -1;
    default:
      throw new UnknownFormError(form);
  }
}

export class UnknownFormError extends Error {
  constructor(readonly form: number) {
    super(`unknown attribute form 0x${form.toString(16)}`);
  }
}

/** Fixed sizes of the standard forms (< 0x30) for one unit shape; -1 = variable, -2 = unknown. */
const sizeTables = new Map<number, Int8Array>();

export function formSizeTable(ctx: FormContext): Int8Array {
  const key = ctx.addrSize * 32 + ctx.offsetSize * 2 + (ctx.version <= 2 ? 1 : 0);
  let t = sizeTables.get(key);
  if (!t) {
    t = new Int8Array(0x30).fill(-2);
    for (let form = 1; form < 0x30; form++) {
      try {
        t[form] = fixedFormSize(form, ctx);
      } catch {
        // unknown: stays -2; fixedFormSize throws, naming the form, when it is used
      }
    }
    sizeTables.set(key, t);
  }
  return t;
}

/** Advance past one value of a variable-size form (or any form, via fixedFormSize). */
export function skipForm(c: ByteCursor, form: number, ctx: FormContext): void {
  switch (form) {
    case DW_FORM.string:
      c.skipCString();
      return;
    case DW_FORM.sdata:
    case DW_FORM.udata:
    case DW_FORM.ref_udata:
    case DW_FORM.strx:
    case DW_FORM.addrx:
    case DW_FORM.loclistx:
    case DW_FORM.rnglistx:
    case DW_FORM.GNU_addr_index:
    case DW_FORM.GNU_str_index:
      c.skipUleb();
      return;
    case DW_FORM.block:
    case DW_FORM.exprloc: {
      const len = c.uleb();
      c.pos += len;
      return;
    }
    case DW_FORM.block1:
      c.pos += 1 + c.buf[c.pos]!;
      return;
    case DW_FORM.block2: {
      const len = c.u16();
      c.pos += len;
      return;
    }
    case DW_FORM.block4: {
      const len = c.u32();
      c.pos += len;
      return;
    }
    case DW_FORM.indirect:
      // DWARF 5 §7.5.3: the real form is a ULEB128 in the data, followed by the value.
      skipForm(c, c.uleb(), ctx);
      return;
    default:
      c.pos += fixedFormSize(form, ctx);
  }
}
