/**
 * The byte-level pieces of the DWARF reader, against the examples of the DWARF 5 specification
 * (§7.6, Tables 7.5 and 7.6) and the bitfield rules of DWARF 2–3 (§5.6.6 of DWARF 3).
 */
import { describe, expect, it } from 'vitest';
import { ByteCursor } from '../../core/types/dwarf/cursor.js';
import { evalMemberLocation, legacyBitfieldOffset } from '../../core/types/dwarf/member-location.js';
import { fixedFormSize } from '../../core/types/dwarf/forms.js';
import { DW_FORM } from '../../core/types/dwarf/constants.js';

const cursor = (bytes: number[], le = true) => new ByteCursor(Buffer.from(bytes), le);

describe('LEB128 (DWARF 5 Tables 7.5, 7.6)', () => {
  it.each([
    [[0x02], 2],
    [[0x7f], 127],
    [[0x80, 0x01], 128],
    [[0x81, 0x01], 129],
    [[0x82, 0x01], 130],
    [[0xb9, 0x64], 12857],
  ])('unsigned %j = %i', (bytes, value) => {
    const c = cursor(bytes);
    expect(c.uleb()).toBe(value);
    expect(c.pos).toBe(bytes.length);
    expect(cursor(bytes).ulebBig()).toBe(BigInt(value));
    const s = cursor(bytes);
    s.skipUleb();
    expect(s.pos).toBe(bytes.length);
  });

  it.each([
    [[0x02], 2],
    [[0x7e], -2],
    [[0xff, 0x00], 127],
    [[0x81, 0x7f], -127],
    [[0x80, 0x01], 128],
    [[0x80, 0x7f], -128],
    [[0x81, 0x01], 129],
    [[0xff, 0x7e], -129],
  ])('signed %j = %i', (bytes, value) => {
    expect(cursor(bytes).sleb()).toBe(value);
    expect(cursor(bytes).slebBig()).toBe(BigInt(value));
  });

  it('decodes 64-bit values exactly as bigint', () => {
    // 2^64 - 1 and -2^63 take 10 bytes.
    expect(cursor([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).ulebBig()).toBe(2n ** 64n - 1n);
    expect(cursor([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]).slebBig()).toBe(-(2n ** 63n));
  });
});

describe('fixed-size fields', () => {
  it('reads both byte orders', () => {
    expect(cursor([0x78, 0x56, 0x34, 0x12]).u32()).toBe(0x12345678);
    expect(cursor([0x12, 0x34, 0x56, 0x78], false).u32()).toBe(0x12345678);
    expect(cursor([0x56, 0x34, 0x12]).u24()).toBe(0x123456);
    expect(cursor([0x12, 0x34, 0x56], false).u24()).toBe(0x123456);
    expect(cursor([1, 0, 0, 0, 2, 0, 0, 0]).u64()).toBe(2 * 2 ** 32 + 1);
    expect(cursor([0, 0, 0, 2, 0, 0, 0, 1], false).u64()).toBe(2 * 2 ** 32 + 1);
  });

  it('sizes forms by unit shape (DWARF 5 §7.5.6)', () => {
    const dwarf32 = { addrSize: 8, offsetSize: 4, version: 5 };
    const dwarf64 = { addrSize: 8, offsetSize: 8, version: 5 };
    expect(fixedFormSize(DW_FORM.strp, dwarf32)).toBe(4);
    expect(fixedFormSize(DW_FORM.strp, dwarf64)).toBe(8);
    expect(fixedFormSize(DW_FORM.ref_addr, { addrSize: 4, offsetSize: 4, version: 2 })).toBe(4);
    expect(fixedFormSize(DW_FORM.ref_addr, { addrSize: 8, offsetSize: 4, version: 2 })).toBe(8);
    expect(fixedFormSize(DW_FORM.ref_addr, { addrSize: 8, offsetSize: 4, version: 3 })).toBe(4);
    expect(fixedFormSize(DW_FORM.addr, { addrSize: 4, offsetSize: 4, version: 4 })).toBe(4);
    expect(fixedFormSize(DW_FORM.data16, dwarf32)).toBe(16);
    expect(fixedFormSize(DW_FORM.implicit_const, dwarf32)).toBe(0);
    expect(fixedFormSize(DW_FORM.exprloc, dwarf32)).toBe(-1);
    expect(() => fixedFormSize(0x7f, dwarf32)).toThrow(/unknown attribute form 0x7f/);
  });
});

describe('member locations', () => {
  it('evaluates gcc DWARF 2 member offsets (DW_OP_plus_uconst)', () => {
    expect(evalMemberLocation(Buffer.from([0x23, 0x10]), true)).toBe(16);
    expect(evalMemberLocation(Buffer.from([0x23, 0x80, 0x01]), true)).toBe(128);
    expect(evalMemberLocation(Buffer.from([0x10, 0x08]), true)).toBe(8); // DW_OP_constu 8
    expect(evalMemberLocation(Buffer.from([0x35, 0x22]), true)).toBe(5); // DW_OP_lit5, DW_OP_plus
    expect(evalMemberLocation(Buffer.from([0x06]), true)).toBeUndefined(); // DW_OP_deref: not constant
  });

  it('converts DWARF 2/3 DW_AT_bit_offset (from the storage MSB) to memory order', () => {
    // u32 x:17 at the lowest bits of a little-endian word: bit_offset = 32 - 17 = 15.
    expect(legacyBitfieldOffset(0, 4, 15, 17, true)).toBe(0);
    // the next u32 y:10: bit_offset 5 → bits 17..26.
    expect(legacyBitfieldOffset(0, 4, 5, 10, true)).toBe(17);
    // big-endian: bit_offset counts in memory order already.
    expect(legacyBitfieldOffset(0, 4, 17, 10, false)).toBe(17);
    expect(legacyBitfieldOffset(8, 8, 1, 63, true)).toBe(64);
  });
});
