/**
 * Member offsets (DWARF 5 §5.7.6): DW_AT_data_member_location as a constant or a location
 * expression, and bitfield positions from DW_AT_data_bit_offset (DWARF 4+) or the DWARF 2/3
 * DW_AT_bit_offset + DW_AT_byte_size form, converted to BTF's convention: bits from the start of
 * the enclosing struct, in memory order.
 */
import { DW_OP } from './constants.js';
import { ByteCursor } from './cursor.js';

/**
 * Evaluate the simple expressions compilers use for member offsets (gcc's DWARF 2 output:
 * `DW_OP_plus_uconst N`). The struct's address is pushed first (§2.5.1), taken as 0.
 * Returns undefined for anything that is not a constant offset (virtual bases in C++).
 */
export function evalMemberLocation(expr: Buffer, le: boolean): number | undefined {
  const c = new ByteCursor(expr, le);
  const stack: number[] = [0];
  while (c.pos < expr.length) {
    const op = c.u8();
    if (op >= DW_OP.lit0 && op <= DW_OP.lit31) {
      stack.push(op - DW_OP.lit0);
      continue;
    }
    switch (op) {
      case DW_OP.plus_uconst:
        stack.push(stack.pop()! + c.uleb());
        break;
      case DW_OP.constu:
        stack.push(c.uleb());
        break;
      case DW_OP.const1u:
        stack.push(c.u8());
        break;
      case DW_OP.const2u:
        stack.push(c.u16());
        break;
      case DW_OP.const4u:
        stack.push(c.u32());
        break;
      case DW_OP.const8u:
        stack.push(c.u64());
        break;
      case DW_OP.plus: {
        const b = stack.pop();
        const a = stack.pop();
        if (a === undefined || b === undefined) return undefined;
        stack.push(a + b);
        break;
      }
      default:
        return undefined;
    }
  }
  return stack.length > 0 ? stack[stack.length - 1] : undefined;
}

/**
 * Bit offset of a DWARF ≤ 3 style bitfield. DW_AT_bit_offset counts from the most significant bit
 * of the storage unit (DW_AT_byte_size bytes at the member's byte offset) to the field's most
 * significant bit, so on little-endian targets the memory-order offset counts from the other end.
 */
export function legacyBitfieldOffset(byteOffset: number, storageBytes: number, bitOffset: number, bitSize: number, littleEndian: boolean): number {
  return littleEndian ? byteOffset * 8 + storageBytes * 8 - bitOffset - bitSize : byteOffset * 8 + bitOffset;
}
