/**
 * Sequential reads over a DWARF section held in one Buffer.
 *
 * The indexer runs these tens of millions of times, so they do no allocation: LEB128 is decoded
 * inline (DWARF 5 §7.6) and fixed-size integers are assembled from bytes instead of going through
 * DataView or Buffer's bounds-checked readers.
 */
export class ByteCursor {
  pos = 0;

  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
  ) {}

  u8(): number {
    return this.buf[this.pos++]!;
  }

  u16(): number {
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return this.le ? b[p]! | (b[p + 1]! << 8) : (b[p]! << 8) | b[p + 1]!;
  }

  u24(): number {
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 3;
    return this.le ? b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) : (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(): number {
    const v = readU32(this.buf, this.pos, this.le);
    this.pos += 4;
    return v;
  }

  /** A 64-bit field as a number; exact below 2^53, which every offset and size in a < 2 GiB section is. */
  u64(): number {
    const lo = readU32(this.buf, this.pos, this.le);
    const hi = readU32(this.buf, this.pos + 4, this.le);
    this.pos += 8;
    return this.le ? hi * 0x100000000 + lo : lo * 0x100000000 + hi;
  }

  u64Big(): bigint {
    const v = this.le ? this.buf.readBigUInt64LE(this.pos) : this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** An unsigned integer of 1, 2, 4 or 8 bytes (address size, offset size). */
  uN(size: number): number {
    switch (size) {
      case 1:
        return this.u8();
      case 2:
        return this.u16();
      case 4:
        return this.u32();
      case 8:
        return this.u64();
      default:
        throw new RangeError(`unsupported field size ${size}`);
    }
  }

  uleb(): number {
    const b = this.buf;
    let p = this.pos;
    let byte = b[p++]!;
    if (byte < 0x80) {
      this.pos = p;
      return byte;
    }
    let result = byte & 0x7f;
    let mul = 0x80;
    do {
      byte = b[p++]!;
      result += (byte & 0x7f) * mul;
      mul *= 0x80;
    } while (byte >= 0x80);
    this.pos = p;
    return result;
  }

  sleb(): number {
    const b = this.buf;
    let p = this.pos;
    let result = 0;
    let mul = 1;
    let byte: number;
    do {
      byte = b[p++]!;
      result += (byte & 0x7f) * mul;
      mul *= 0x80;
    } while (byte >= 0x80);
    this.pos = p;
    return byte & 0x40 ? result - mul : result;
  }

  ulebBig(): bigint {
    return this.lebBig(false);
  }

  slebBig(): bigint {
    return this.lebBig(true);
  }

  /** LEB128 of any width as a bigint (DWARF 7.6); signed values sign-extend from the last byte's bit 6. */
  private lebBig(signed: boolean): bigint {
    let result = 0n;
    let shift = 0n;
    let byte: number;
    do {
      byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte >= 0x80);
    return signed && byte & 0x40 ? result - (1n << shift) : result;
  }

  skipUleb(): void {
    const b = this.buf;
    let p = this.pos;
    while (b[p++]! >= 0x80);
    this.pos = p;
  }

  skipCString(): void {
    const end = this.buf.indexOf(0, this.pos);
    this.pos = end < 0 ? this.buf.length : end + 1;
  }

  cstring(): string {
    const start = this.pos;
    let end = this.buf.indexOf(0, start);
    if (end < 0) end = this.buf.length;
    this.pos = end + 1;
    return this.buf.toString('latin1', start, end);
  }
}

export function readU32(b: Buffer, p: number, le: boolean): number {
  return le
    ? (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0
    : ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

/** The NUL-terminated string at `offset` (names are ASCII; latin1 keeps any stray byte 1:1). */
export function cStringAt(buf: Buffer, offset: number): string {
  if (offset < 0 || offset >= buf.length) return '';
  let end = buf.indexOf(0, offset);
  if (end < 0) end = buf.length;
  return buf.toString('latin1', offset, end);
}
