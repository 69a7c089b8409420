/**
 * A typed view of a kernel object: members by name (anonymous unions flattened, `a.b[2].c` paths),
 * values decoded by their declared type. The object's bytes are read once, on first access.
 */
import type { CType } from '../types/ctype.js';
import { typeName } from '../types/layout.js';
import { RamparseError } from '../util/errors.js';
import type { Kernel } from './kernel.js';

export class KObject {
  private bytes: Buffer | undefined;

  constructor(
    readonly kernel: Kernel,
    readonly type: CType,
    readonly address: bigint,
  ) {}

  get typeName(): string {
    return typeName(this.type);
  }

  get size(): number {
    return this.kernel.types.sizeof(this.type);
  }

  private buffer(): Buffer {
    this.bytes ??= this.kernel.read(this.address, this.size);
    return this.bytes;
  }

  has(path: string): boolean {
    return this.kernel.types.findMember(this.type, path) !== undefined;
  }

  /** Address of a member. */
  memberAddress(path: string): bigint {
    return this.address + BigInt(this.kernel.types.offsetof(this.type, path));
  }

  /** A nested object (struct member, array element) as its own view. */
  member(path: string): KObject {
    const m = this.kernel.types.member(this.type, path);
    if (m.bitSize) throw new RamparseError(`${this.typeName}.${path} is a bitfield`);
    return new KObject(this.kernel, m.type, this.address + BigInt(m.bitOffset / 8));
  }

  /** Follow a pointer member to the object it points at (undefined for NULL). */
  deref(path: string): KObject | undefined {
    const m = this.kernel.types.member(this.type, path);
    const t = this.kernel.types.complete(m.type);
    if (t.kind !== 'pointer') throw new RamparseError(`${this.typeName}.${path} is not a pointer`);
    const p = this.ptr(path);
    return p === 0n ? undefined : new KObject(this.kernel, t.target, p);
  }

  /** Integer/enum/pointer member value as bigint (sign and size from the type; bitfields too). */
  value(path: string): bigint {
    const m = this.kernel.types.member(this.type, path);
    const t = this.kernel.types.complete(m.type);
    const buf = this.buffer();
    let size: number;
    let signed = false;
    switch (t.kind) {
      case 'int':
        size = t.size;
        signed = t.signed;
        break;
      case 'enum':
        size = t.size;
        signed = t.signed;
        break;
      case 'pointer':
        size = t.size;
        break;
      default:
        throw new RamparseError(`${this.typeName}.${path} (${typeName(t)}) is not a scalar`);
    }
    if (m.bitSize) return readBits(buf, m.bitOffset, m.bitSize, signed);
    return readInt(buf, m.bitOffset / 8, size, signed);
  }

  /** Member value as a JS number (only for values that fit: counts, flags, small ints). */
  num(path: string): number {
    return Number(this.value(path));
  }

  /** Pointer member, canonicalised (tags/PAC stripped). */
  ptr(path: string): bigint {
    const v = this.value(path);
    return v === 0n ? 0n : this.kernel.arch.canonical(BigInt.asUintN(64, v));
  }

  /** A `char name[N]` member as a string (up to the first NUL). */
  str(path: string): string {
    const m = this.kernel.types.member(this.type, path);
    const t = this.kernel.types.complete(m.type);
    const buf = this.buffer();
    const start = m.bitOffset / 8;
    if (t.kind === 'array') {
      const len = t.length * this.kernel.types.sizeof(t.element);
      const slice = buf.subarray(start, start + len);
      const z = slice.indexOf(0);
      return slice.toString('latin1', 0, z < 0 ? slice.length : z);
    }
    if (t.kind === 'pointer') {
      const p = this.ptr(path);
      return p === 0n ? '' : this.kernel.readCString(p);
    }
    throw new RamparseError(`${this.typeName}.${path} is not a string`);
  }

  /** Raw bytes of a member. */
  bytesOf(path: string): Buffer {
    const m = this.kernel.types.member(this.type, path);
    const size = this.kernel.types.sizeof(m.type);
    const start = m.bitOffset / 8;
    return this.buffer().subarray(start, start + size);
  }

  /** Reinterpret at the same address as another type. */
  cast(type: string | CType): KObject {
    return this.kernel.object(type, this.address);
  }
}

export function readInt(buf: Buffer, offset: number, size: number, signed: boolean): bigint {
  switch (size) {
    case 1:
      return BigInt(signed ? buf.readInt8(offset) : buf.readUInt8(offset));
    case 2:
      return BigInt(signed ? buf.readInt16LE(offset) : buf.readUInt16LE(offset));
    case 4:
      return BigInt(signed ? buf.readInt32LE(offset) : buf.readUInt32LE(offset));
    case 8:
      return signed ? buf.readBigInt64LE(offset) : buf.readBigUInt64LE(offset);
    default:
      throw new RamparseError(`cannot read a ${size}-byte integer`);
  }
}

/** Little-endian bitfield extraction (bit offsets as BTF gives them: from the start of the object). */
export function readBits(buf: Buffer, bitOffset: number, bitSize: number, signed: boolean): bigint {
  const firstByte = Math.floor(bitOffset / 8);
  const lastByte = Math.floor((bitOffset + bitSize - 1) / 8);
  let v = 0n;
  for (let i = lastByte; i >= firstByte; i--) v = (v << 8n) | BigInt(buf[i] ?? 0);
  v = (v >> BigInt(bitOffset % 8)) & ((1n << BigInt(bitSize)) - 1n);
  return signed ? BigInt.asIntN(bitSize, v) : v;
}
