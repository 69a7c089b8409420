/**
 * BTF type source: the `.BTF` section of vmlinux (include/uapi/linux/btf.h).
 *
 * One pass records where each type record starts and indexes names; CType objects are built on
 * first use and cached by type id.
 */
import type { CType, Enumerator, Member, TypeRegistry } from './ctype.js';
import { VOID } from './ctype.js';

const BTF_MAGIC = 0xeb9f;

const KIND = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

const BTF_INT_SIGNED = 1;
const BTF_INT_CHAR = 2;
const BTF_INT_BOOL = 4;

export class BtfError extends Error {}

export class BtfRegistry implements TypeRegistry {
  readonly source = 'btf' as const;
  private readonly le: boolean;
  private readonly typesStart: number;
  private readonly strStart: number;
  private readonly strEnd: number;
  /** Byte offset of each type record, indexed by type id (id 0 = void). */
  private readonly offsets: Int32Array;
  private readonly cache = new Map<number, CType>();
  /** "struct page" / "typedef name" / base names → ids (definitions first). */
  private readonly names = new Map<string, number[]>();
  private readonly vars = new Map<string, number>();
  private enumIndex: Map<string, bigint> | undefined;
  readonly count: number;
  readonly pointerSize: number;

  constructor(private readonly data: Buffer, pointerSize = 8) {
    this.pointerSize = pointerSize;
    if (data.length < 24) throw new BtfError('BTF section too small');
    const magicLE = data.readUInt16LE(0);
    if (magicLE === BTF_MAGIC) this.le = true;
    else if (data.readUInt16BE(0) === BTF_MAGIC) this.le = false;
    else throw new BtfError(`bad BTF magic 0x${magicLE.toString(16)}`);
    const hdrLen = this.u32(4);
    const typeOff = this.u32(8);
    const typeLen = this.u32(12);
    const strOff = this.u32(16);
    const strLen = this.u32(20);
    this.typesStart = hdrLen + typeOff;
    const typesEnd = this.typesStart + typeLen;
    this.strStart = hdrLen + strOff;
    this.strEnd = this.strStart + strLen;
    if (typesEnd > data.length || this.strEnd > data.length) throw new BtfError('BTF header points past the section');

    const offsets: number[] = [0];
    let p = this.typesStart;
    while (p < typesEnd) {
      offsets.push(p);
      const id = offsets.length - 1;
      const nameOff = this.u32(p);
      const info = this.u32(p + 4);
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      const kflag = info >>> 31;
      let next = p + 12;
      switch (kind) {
        case KIND.INT:
          next += 4;
          break;
        case KIND.ARRAY:
          next += 12;
          break;
        case KIND.STRUCT:
        case KIND.UNION:
          next += 12 * vlen;
          break;
        case KIND.ENUM:
          next += 8 * vlen;
          break;
        case KIND.ENUM64:
          next += 12 * vlen;
          break;
        case KIND.FUNC_PROTO:
          next += 8 * vlen;
          break;
        case KIND.VAR:
          next += 4;
          break;
        case KIND.DATASEC:
          next += 12 * vlen;
          break;
        case KIND.DECL_TAG:
          next += 4;
          break;
        case KIND.PTR:
        case KIND.FWD:
        case KIND.TYPEDEF:
        case KIND.VOLATILE:
        case KIND.CONST:
        case KIND.RESTRICT:
        case KIND.FUNC:
        case KIND.FLOAT:
        case KIND.TYPE_TAG:
          break;
        default:
          throw new BtfError(`unknown BTF kind ${kind} at type ${id}`);
      }
      if (nameOff) {
        const name = this.str(nameOff);
        let key: string | undefined;
        switch (kind) {
          case KIND.STRUCT:
            key = `struct ${name}`;
            break;
          case KIND.UNION:
            key = `union ${name}`;
            break;
          case KIND.ENUM:
          case KIND.ENUM64:
            key = `enum ${name}`;
            break;
          case KIND.FWD:
            key = `${kflag ? 'union' : 'struct'} ${name}`;
            break;
          case KIND.TYPEDEF:
          case KIND.INT:
          case KIND.FLOAT:
            key = name;
            break;
          case KIND.VAR:
            if (!this.vars.has(name)) this.vars.set(name, id);
            break;
        }
        if (key) {
          const list = this.names.get(key);
          // Definitions before forward declarations, so lookup() finds the body.
          if (!list) this.names.set(key, [id]);
          else if (kind === KIND.FWD) list.push(id);
          else list.unshift(id);
        }
      }
      p = next;
    }
    if (p !== typesEnd) throw new BtfError('BTF type section does not end on a record boundary');
    this.offsets = Int32Array.from(offsets);
    this.count = offsets.length - 1;
  }

  lookup(name: string): CType | undefined {
    const ids = this.names.get(normalizeName(name));
    if (!ids || ids.length === 0) return undefined;
    return this.type(ids[0]!);
  }

  variableType(name: string): CType | undefined {
    const id = this.vars.get(name);
    if (id === undefined) return undefined;
    return this.type(this.u32(this.offsets[id]! + 8));
  }

  enumerator(name: string): bigint | undefined {
    if (!this.enumIndex) {
      this.enumIndex = new Map();
      for (let id = 1; id <= this.count; id++) {
        const info = this.u32(this.offsets[id]! + 4);
        const kind = (info >>> 24) & 0x1f;
        if (kind !== KIND.ENUM && kind !== KIND.ENUM64) continue;
        const t = this.type(id);
        if (t.kind !== 'enum') continue;
        for (const v of t.values) if (!this.enumIndex.has(v.name)) this.enumIndex.set(v.name, v.value);
      }
    }
    return this.enumIndex.get(name);
  }

  /** The type with a given BTF id. */
  type(id: number): CType {
    if (id === 0) return VOID;
    const hit = this.cache.get(id);
    if (hit) return hit;
    if (id < 0 || id > this.count) throw new BtfError(`BTF type id ${id} out of range`);
    const t = this.decode(id);
    this.cache.set(id, t);
    return t;
  }

  private decode(id: number): CType {
    const p = this.offsets[id]!;
    const nameOff = this.u32(p);
    const info = this.u32(p + 4);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kflag = info >>> 31;
    const sizeOrType = this.u32(p + 8);
    const name = nameOff ? this.str(nameOff) : undefined;
    const reg = this;
    switch (kind) {
      case KIND.INT: {
        const enc = this.u32(p + 12);
        const encoding = (enc >>> 24) & 0xf;
        return {
          kind: 'int',
          name: name ?? 'int',
          size: sizeOrType,
          signed: (encoding & BTF_INT_SIGNED) !== 0,
          isChar: (encoding & BTF_INT_CHAR) !== 0,
          isBool: (encoding & BTF_INT_BOOL) !== 0,
        };
      }
      case KIND.FLOAT:
        return { kind: 'float', name: name ?? 'float', size: sizeOrType };
      case KIND.PTR:
        return {
          kind: 'pointer',
          size: this.pointerSize,
          get target() {
            return reg.type(sizeOrType);
          },
        };
      case KIND.ARRAY: {
        const elemId = this.u32(p + 12);
        const nelems = this.u32(p + 20);
        return {
          kind: 'array',
          length: nelems,
          get element() {
            return reg.type(elemId);
          },
        };
      }
      case KIND.STRUCT:
      case KIND.UNION: {
        let members: Member[] | undefined;
        return {
          kind: kind === KIND.STRUCT ? 'struct' : 'union',
          name,
          size: sizeOrType,
          declaration: false,
          get members() {
            members ??= reg.decodeMembers(p + 12, vlen, kflag === 1);
            return members;
          },
        };
      }
      case KIND.FWD:
        return { kind: kflag ? 'union' : 'struct', name, size: 0, members: [], declaration: true };
      case KIND.ENUM:
      case KIND.ENUM64: {
        const values: Enumerator[] = [];
        const signed = kflag === 1;
        for (let i = 0; i < vlen; i++) {
          if (kind === KIND.ENUM) {
            const b = p + 12 + i * 8;
            const raw = this.u32(b + 4);
            values.push({ name: this.str(this.u32(b)), value: signed ? BigInt(raw | 0) : BigInt(raw) });
          } else {
            const b = p + 12 + i * 12;
            const v = (BigInt(this.u32(b + 8)) << 32n) | BigInt(this.u32(b + 4));
            values.push({ name: this.str(this.u32(b)), value: signed ? BigInt.asIntN(64, v) : v });
          }
        }
        return { kind: 'enum', name, size: sizeOrType, signed, values, declaration: vlen === 0 && sizeOrType === 0 };
      }
      case KIND.TYPEDEF:
        return {
          kind: 'typedef',
          name: name ?? '',
          get target() {
            return reg.type(sizeOrType);
          },
        };
      case KIND.VOLATILE:
      case KIND.CONST:
      case KIND.RESTRICT: {
        const q = kind === KIND.VOLATILE ? 'volatile' : kind === KIND.CONST ? 'const' : 'restrict';
        return {
          kind: q,
          get target() {
            return reg.type(sizeOrType);
          },
        };
      }
      case KIND.TYPE_TAG:
      case KIND.DECL_TAG:
      case KIND.VAR:
        // Type tags (__user, __rcu…) are transparent for layout purposes.
        return this.type(sizeOrType);
      case KIND.FUNC:
      case KIND.FUNC_PROTO:
      case KIND.DATASEC:
        return { kind: 'function', name };
      default:
        throw new BtfError(`unknown BTF kind ${kind}`);
    }
  }

  private decodeMembers(start: number, vlen: number, kflag: boolean): Member[] {
    const out: Member[] = [];
    const reg = this;
    for (let i = 0; i < vlen; i++) {
      const b = start + i * 12;
      const nameOff = this.u32(b);
      const typeId = this.u32(b + 4);
      const off = this.u32(b + 8);
      const bitOffset = kflag ? off & 0xffffff : off;
      const bitSize = kflag ? off >>> 24 : 0;
      out.push({
        name: nameOff ? this.str(nameOff) : undefined,
        get type() {
          return reg.type(typeId);
        },
        bitOffset,
        bitSize: bitSize || legacyBitfieldSize(this, typeId),
      });
    }
    return out;
  }

  /** For BTF without kind_flag, bitfields are INT types whose nr_bits is smaller than the size. */
  intBits(typeId: number): number {
    let id = typeId;
    for (let i = 0; i < 16 && id; i++) {
      const p = this.offsets[id]!;
      const info = this.u32(p + 4);
      const kind = (info >>> 24) & 0x1f;
      if (kind === KIND.INT) {
        const enc = this.u32(p + 12);
        const bits = enc & 0xff;
        return bits < this.u32(p + 8) * 8 ? bits : 0;
      }
      if (kind === KIND.TYPEDEF || kind === KIND.CONST || kind === KIND.VOLATILE) id = this.u32(p + 8);
      else return 0;
    }
    return 0;
  }

  private u32(o: number): number {
    return this.le ? this.data.readUInt32LE(o) : this.data.readUInt32BE(o);
  }

  private str(off: number): string {
    const start = this.strStart + off;
    if (start >= this.strEnd) return '';
    let end = this.data.indexOf(0, start);
    if (end < 0 || end > this.strEnd) end = this.strEnd;
    return this.data.toString('latin1', start, end);
  }
}

function legacyBitfieldSize(reg: BtfRegistry, typeId: number): number {
  return reg.intBits(typeId);
}

function normalizeName(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}
