/**
 * Unit headers (DWARF 5 §7.5.1; DWARF 2–4 §7.5.1.1 of their specs) and the table of all units.
 */
import { DW_UT } from './constants.js';
import { ByteCursor } from './cursor.js';
import { DwarfError } from './dwarf-error.js';
import type { FormContext } from './forms.js';

export interface UnitHeader extends FormContext {
  /** Offset of the unit header. */
  readonly offset: number;
  /** Offset just past the unit. */
  readonly end: number;
  /** DW_UT_*; DWARF ≤ 4 units are DW_UT_compile, or DW_UT_type in .debug_types. */
  readonly unitType: number;
  readonly abbrevOffset: number;
  /** Offset of the unit's root DIE. */
  readonly dieOffset: number;
  /** Type units: the signature and the absolute offset of the type DIE. */
  readonly typeSignature?: bigint;
  readonly typeDieOffset?: number;
}

/**
 * Parse the unit header at `offset`. `inTypesSection` marks DWARF 4 .debug_types units, whose
 * header carries a signature and type offset without a unit_type byte.
 */
export function readUnitHeader(c: ByteCursor, offset: number, inTypesSection: boolean, path: string): UnitHeader {
  c.pos = offset;
  let length = c.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    // 64-bit DWARF (§7.4): 8-byte length and 8-byte section offsets in this unit.
    length = c.u64();
    offsetSize = 8;
  } else if (length >= 0xfffffff0) {
    throw new DwarfError(path, `unit at 0x${offset.toString(16)} has reserved length 0x${length.toString(16)}`);
  }
  const end = c.pos + length;
  if (end > c.buf.length) throw new DwarfError(path, `unit at 0x${offset.toString(16)} runs past the end of .debug_info`);
  const version = c.u16();
  if (version < 2 || version > 5) throw new DwarfError(path, `unit at 0x${offset.toString(16)} has unsupported DWARF version ${version}`);
  let unitType: number = inTypesSection ? DW_UT.type : DW_UT.compile;
  let addrSize: number;
  let abbrevOffset: number;
  let typeSignature: bigint | undefined;
  let typeDieOffset: number | undefined;
  if (version >= 5) {
    unitType = c.u8();
    addrSize = c.u8();
    abbrevOffset = c.uN(offsetSize);
    switch (unitType) {
      case DW_UT.compile:
      case DW_UT.partial:
        break;
      case DW_UT.skeleton:
      case DW_UT.split_compile:
        c.pos += 8; // dwo_id
        break;
      case DW_UT.type:
      case DW_UT.split_type:
        typeSignature = c.u64Big();
        typeDieOffset = offset + c.uN(offsetSize);
        break;
      default:
        throw new DwarfError(path, `unit at 0x${offset.toString(16)} has unknown unit type ${unitType}`);
    }
  } else {
    abbrevOffset = c.uN(offsetSize);
    addrSize = c.u8();
    if (inTypesSection) {
      typeSignature = c.u64Big();
      typeDieOffset = offset + c.uN(offsetSize);
    }
  }
  if (addrSize !== 2 && addrSize !== 4 && addrSize !== 8) {
    throw new DwarfError(path, `unit at 0x${offset.toString(16)} has unsupported address size ${addrSize}`);
  }
  return { offset, end, version, unitType, offsetSize, addrSize, abbrevOffset, dieOffset: c.pos, typeSignature, typeDieOffset };
}

/** Per-unit facts the DIE reader needs, learned from the root DIE. */
export interface UnitInfo extends UnitHeader {
  /** DW_AT_str_offsets_base (DWARF 5) — start of this unit's entries in .debug_str_offsets. */
  readonly strOffsetsBase: number;
  /**
   * clang writes a signed enum's values in DW_FORM_data1..8 meaning "sign-extend" (LLVM's
   * DIEInteger::BestForm), where gcc only uses those forms for non-negative values (negative ones
   * get DW_FORM_sdata); so the reader sign-extends data forms of signed enums only for clang units.
   */
  readonly producerIsClang: boolean;
}

/** All units of .debug_info (+ .debug_types), in offset order, stored compactly. */
export class UnitTable {
  private offsets = new Float64Array(256);
  private infos: UnitInfo[] = [];

  get count(): number {
    return this.infos.length;
  }

  add(info: UnitInfo): void {
    const i = this.infos.length;
    if (i === this.offsets.length) {
      const grown = new Float64Array(i * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[i] = info.offset;
    this.infos.push(info);
  }

  at(i: number): UnitInfo {
    return this.infos[i]!;
  }

  /** The unit containing section offset `off`, or undefined. */
  find(off: number): UnitInfo | undefined {
    let lo = 0;
    let hi = this.infos.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid]! <= off) lo = mid + 1;
      else hi = mid - 1;
    }
    const u = this.infos[hi];
    return u && off < u.end ? u : undefined;
  }
}
