/**
 * DIE → CType, built on first use and cached by DIE offset, in the same shapes the BTF source
 * produces (see core/types/btf.ts): gcc's base type names, anonymous members with an undefined name,
 * bit offsets from the start of the struct, nested arrays for multi-dimensional arrays, length 0
 * for flexible arrays, forward declarations resolved to a definition from any unit.
 */
import type { CType, CompositeType, EnumType, Enumerator, Member } from '../ctype.js';
import { byteSizeOf } from '../layout.js';
import { VOID } from '../ctype.js';
import { DW_AT, DW_ATE, DW_FORM, DW_TAG } from './constants.js';
import type { Die, DieReader } from './die-reader.js';
import { DwarfError } from './dwarf-error.js';
import { evalMemberLocation, legacyBitfieldOffset } from './member-location.js';

/** How the decoder finds a definition for a forward declaration (struct/union/enum by name). */
export interface DefinitionFinder {
  definitionOf(kind: 'struct' | 'union' | 'enum', name: string): number | undefined;
}

const MAX_TYPEDEF_DEPTH = 64;

export class TypeDecoder {
  private readonly cache = new Map<number, CType>();

  constructor(
    private readonly reader: DieReader,
    private readonly definitions: DefinitionFinder,
    private readonly path: string,
  ) {}

  /** Number of DIEs decoded into types so far. */
  get decodedCount(): number {
    return this.cache.size;
  }

  typeAt(offset: number): CType {
    const hit = this.cache.get(offset);
    if (hit) return hit;
    const t = this.decode(this.reader.read(offset));
    this.cache.set(offset, t);
    return t;
  }

  /** The type a DIE's DW_AT_type names; void when absent (DWARF 5 §5.2: `void *` has no DW_AT_type). */
  typeOf(die: Die): CType {
    const ref = this.reader.ref(die, DW_AT.type);
    return ref === undefined ? VOID : this.typeAt(ref);
  }

  private decode(die: Die): CType {
    const r = this.reader;
    switch (die.tag) {
      case DW_TAG.base_type:
        return this.baseType(die);
      case DW_TAG.pointer_type:
      case DW_TAG.reference_type:
      case DW_TAG.rvalue_reference_type:
      case DW_TAG.ptr_to_member_type: {
        const dec = this;
        return {
          kind: 'pointer',
          size: r.number(die, DW_AT.byte_size) ?? die.unit.addrSize,
          get target() {
            return dec.typeOf(die);
          },
        };
      }
      case DW_TAG.const_type:
      case DW_TAG.volatile_type:
      case DW_TAG.restrict_type:
      case DW_TAG.atomic_type: {
        const kind = die.tag === DW_TAG.const_type ? 'const' : die.tag === DW_TAG.volatile_type ? 'volatile' : die.tag === DW_TAG.restrict_type ? 'restrict' : 'atomic';
        const dec = this;
        return {
          kind,
          get target() {
            return dec.typeOf(die);
          },
        };
      }
      case DW_TAG.immutable_type:
      case DW_TAG.shared_type:
        // D / UPC qualifiers with no C layout meaning: transparent.
        return this.typeOf(die);
      case DW_TAG.typedef: {
        const dec = this;
        return {
          kind: 'typedef',
          name: r.string(die, DW_AT.name) ?? '',
          get target() {
            return dec.typeOf(die);
          },
        };
      }
      case DW_TAG.structure_type:
      case DW_TAG.class_type:
      case DW_TAG.union_type:
        return this.composite(die);
      case DW_TAG.enumeration_type:
        return this.enumeration(die);
      case DW_TAG.array_type:
        return this.array(die);
      case DW_TAG.subroutine_type:
        return { kind: 'function', name: undefined };
      case DW_TAG.subprogram:
        return { kind: 'function', name: r.string(die, DW_AT.name) };
      case DW_TAG.unspecified_type:
        return VOID;
      case DW_TAG.variable:
        return this.typeOf(die);
      default:
        throw new DwarfError(this.path, `DIE 0x${die.offset.toString(16)} with tag 0x${die.tag.toString(16)} is not a type`);
    }
  }

  private baseType(die: Die): CType {
    const r = this.reader;
    const encoding = r.number(die, DW_AT.encoding) ?? DW_ATE.signed;
    const size = r.number(die, DW_AT.byte_size) ?? 0;
    const name = r.string(die, DW_AT.name) ?? 'int';
    switch (encoding) {
      case DW_ATE.float:
      case DW_ATE.complex_float:
      case DW_ATE.imaginary_float:
      case DW_ATE.decimal_float:
        return { kind: 'float', name, size };
      default:
        return {
          kind: 'int',
          name,
          size,
          signed: encoding === DW_ATE.signed || encoding === DW_ATE.signed_char || encoding === DW_ATE.signed_fixed,
          isBool: encoding === DW_ATE.boolean,
          isChar: encoding === DW_ATE.signed_char || encoding === DW_ATE.unsigned_char,
        };
    }
  }

  /** A declaration resolved to a definition elsewhere (another CU, or a type unit), if there is one. */
  private completed(die: Die, kind: 'struct' | 'union' | 'enum', name: string | undefined): CType | undefined {
    const r = this.reader;
    if (r.isSignatureRef(die, DW_AT.signature)) {
      const target = r.ref(die, DW_AT.signature)!;
      if (target !== die.offset) return this.typeAt(target);
    }
    if (name === undefined) return undefined;
    const def = this.definitions.definitionOf(kind, name);
    return def !== undefined && def !== die.offset ? this.typeAt(def) : undefined;
  }

  private composite(die: Die): CType {
    const r = this.reader;
    const kind = die.tag === DW_TAG.union_type ? 'union' : 'struct';
    const name = r.string(die, DW_AT.name);
    if (r.flag(die, DW_AT.declaration) || die.has(DW_AT.signature)) {
      const def = this.completed(die, kind, name);
      if (def) return def;
      const decl: CompositeType = { kind, name, size: 0, members: [], declaration: true };
      return decl;
    }
    const dec = this;
    let members: Member[] | undefined;
    const t: CompositeType = {
      kind,
      name,
      size: r.number(die, DW_AT.byte_size) ?? 0,
      declaration: false,
      get members() {
        members ??= dec.members(die);
        return members;
      },
    };
    return t;
  }

  private members(parent: Die): Member[] {
    const r = this.reader;
    const out: Member[] = [];
    const dec = this;
    for (const m of r.children(parent)) {
      if (m.tag !== DW_TAG.member) continue;
      // C++ static data members are DW_TAG_member with DW_AT_declaration (DWARF 4) — no storage here.
      if (r.flag(m, DW_AT.declaration)) continue;
      const typeRef = r.ref(m, DW_AT.type);
      const bitSize = r.number(m, DW_AT.bit_size) ?? 0;
      const byteOffset = this.memberByteOffset(m);
      let bitOffset: number;
      const dataBitOffset = r.number(m, DW_AT.data_bit_offset);
      if (dataBitOffset !== undefined) {
        bitOffset = byteOffset * 8 + dataBitOffset;
      } else {
        const legacy = r.number(m, DW_AT.bit_offset);
        if (legacy !== undefined && bitSize > 0) {
          const storage = r.number(m, DW_AT.byte_size) ?? (typeRef === undefined ? 0 : this.byteSize(this.typeAt(typeRef)));
          bitOffset = legacyBitfieldOffset(byteOffset, storage, legacy, bitSize, r.littleEndian);
        } else {
          bitOffset = byteOffset * 8;
        }
      }
      out.push({
        name: r.string(m, DW_AT.name),
        get type() {
          return typeRef === undefined ? VOID : dec.typeAt(typeRef);
        },
        bitOffset,
        bitSize,
      });
    }
    return out;
  }

  private memberByteOffset(m: Die): number {
    const r = this.reader;
    const form = r.form(m, DW_AT.data_member_location);
    if (form === 0) return 0; // union members, and DWARF 5 bitfields that use DW_AT_data_bit_offset alone
    const expr = r.block(m, DW_AT.data_member_location);
    if (expr) {
      const v = evalMemberLocation(expr, r.littleEndian);
      if (v === undefined) throw new DwarfError(this.path, `member DIE 0x${m.offset.toString(16)}: data member location is not a constant expression`);
      return v;
    }
    if (form === DW_FORM.sec_offset) {
      throw new DwarfError(this.path, `member DIE 0x${m.offset.toString(16)}: data member location is a location list`);
    }
    return r.number(m, DW_AT.data_member_location) ?? 0;
  }

  private enumeration(die: Die): CType {
    const r = this.reader;
    const name = r.string(die, DW_AT.name);
    if (r.flag(die, DW_AT.declaration) || die.has(DW_AT.signature)) {
      const def = this.completed(die, 'enum', name);
      if (def) return def;
      const decl: EnumType = { kind: 'enum', name, size: r.number(die, DW_AT.byte_size) ?? 0, signed: false, values: [], declaration: true };
      return decl;
    }
    const { signed, values } = this.enumerators(die);
    const t: EnumType = { kind: 'enum', name, size: r.number(die, DW_AT.byte_size) ?? 0, signed, values, declaration: false };
    return t;
  }

  /**
   * Enumerators of an enum DIE and whether the enum is signed: from the underlying type
   * (DW_AT_type, DWARF 3+) or gcc's DW_AT_encoding on the enum, else from a negative value.
   */
  enumerators(die: Die): { signed: boolean; values: Enumerator[] } {
    const r = this.reader;
    let signed: boolean | undefined;
    const underlying = r.ref(die, DW_AT.type);
    if (underlying !== undefined) {
      const base = this.strip(this.typeAt(underlying));
      if (base.kind === 'int') signed = base.signed;
    }
    if (signed === undefined) {
      const enc = r.number(die, DW_AT.encoding);
      if (enc !== undefined) signed = enc === DW_ATE.signed || enc === DW_ATE.signed_char;
    }
    const signExtend = signed === true && die.unit.producerIsClang;
    const values: Enumerator[] = [];
    for (const e of r.children(die)) {
      if (e.tag !== DW_TAG.enumerator) continue;
      values.push({ name: r.string(e, DW_AT.name) ?? '', value: r.bigConstant(e, DW_AT.const_value, signExtend) ?? 0n });
    }
    if (signed === undefined) signed = values.some((v) => v.value < 0n);
    return { signed, values };
  }

  /** Name of an enum DIE's first enumerator (cheap dedupe key for anonymous enums copied into every unit). */
  firstEnumeratorName(die: Die): string | undefined {
    if (!die.hasChildren) return undefined;
    const r = this.reader;
    const first = r.read(die.end);
    return first.tag === DW_TAG.enumerator ? r.string(first, DW_AT.name) : undefined;
  }

  private array(die: Die): CType {
    const r = this.reader;
    const lengths: number[] = [];
    for (const sub of r.children(die)) {
      if (sub.tag === DW_TAG.subrange_type) lengths.push(this.subrangeLength(sub));
      else if (sub.tag === DW_TAG.enumeration_type) lengths.push(this.enumerators(sub).values.length);
    }
    if (lengths.length === 0) lengths.push(0);
    // int a[2][3] is one DW_TAG_array_type with two subranges; BTF nests: array(2, array(3, int)).
    const dec = this;
    let t: CType | undefined;
    for (let i = lengths.length - 1; i >= 0; i--) {
      const inner = t;
      t = {
        kind: 'array',
        length: lengths[i]!,
        get element() {
          return inner ?? dec.typeOf(die);
        },
      };
    }
    return t!;
  }

  /** DW_AT_count, or upper − lower + 1 (lower bound 0 for C); 0 when unknown (flexible arrays, VLAs). */
  private subrangeLength(sub: Die): number {
    const r = this.reader;
    const count = r.number(sub, DW_AT.count);
    if (count !== undefined) return count;
    const upperForm = r.form(sub, DW_AT.upper_bound);
    const upper = r.number(sub, DW_AT.upper_bound);
    if (upper === undefined) return 0;
    // gcc spells `x[0]` as upper bound -1: DW_FORM_sdata, or all ones in an address-sized data form.
    if (upper < 0 || isMinusOne(upper, upperForm, sub.unit.addrSize)) return 0;
    const lower = r.number(sub, DW_AT.lower_bound) ?? 0;
    return Math.max(0, upper - lower + 1);
  }

  private strip(t: CType): CType {
    let cur = t;
    for (let i = 0; i < MAX_TYPEDEF_DEPTH; i++) {
      if (cur.kind === 'typedef' || cur.kind === 'const' || cur.kind === 'volatile' || cur.kind === 'restrict' || cur.kind === 'atomic') cur = cur.target;
      else return cur;
    }
    throw new DwarfError(this.path, 'typedef chain too long');
  }

  /** Byte size of a type (for DWARF 3 bitfields without DW_AT_byte_size). */
  private byteSize(t: CType): number {
    const s = this.strip(t);
    return s.kind === 'void' ? 0 : byteSizeOf(s, (x) => this.strip(x)) ?? 0;
  }
}

function isMinusOne(v: number, form: number, addrSize: number): boolean {
  if (form === DW_FORM.data8 && addrSize === 8) return v >= 2 ** 64 - 2 ** 12; // 2^64 − 1 rounds in a double
  if (form === DW_FORM.data4 && addrSize === 4) return v === 0xffffffff;
  return false;
}
