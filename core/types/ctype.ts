/**
 * The C type model shared by every type source (BTF, DWARF).
 *
 * Sources build these objects lazily: `target`, `element`, `members` may be getters that decode on
 * first use, so a registry over a 600 MB vmlinux only pays for the types a run touches.
 */

export type CType =
  | VoidType
  | IntType
  | FloatType
  | PointerType
  | ArrayType
  | CompositeType
  | EnumType
  | TypedefType
  | QualifiedType
  | FunctionType;

export interface VoidType {
  readonly kind: 'void';
  readonly name?: undefined;
}

export interface IntType {
  readonly kind: 'int';
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
  readonly signed: boolean;
  readonly isBool: boolean;
  readonly isChar: boolean;
}

export interface FloatType {
  readonly kind: 'float';
  readonly name: string;
  readonly size: number;
}

export interface PointerType {
  readonly kind: 'pointer';
  readonly name?: undefined;
  readonly size: number;
  readonly target: CType;
}

export interface ArrayType {
  readonly kind: 'array';
  readonly name?: undefined;
  readonly element: CType;
  /** Number of elements; 0 for a flexible array member (`entries[]`) or an unknown bound. */
  readonly length: number;
}

export interface Member {
  /** Undefined for an anonymous struct/union member (its members are reachable as if they were ours). */
  readonly name: string | undefined;
  readonly type: CType;
  /** Offset of the member from the start of the enclosing type, in bits. */
  readonly bitOffset: number;
  /** Width for bitfields, 0 for ordinary members. */
  readonly bitSize: number;
}

export interface CompositeType {
  readonly kind: 'struct' | 'union';
  /** Undefined for anonymous structs/unions. */
  readonly name: string | undefined;
  readonly size: number;
  readonly members: readonly Member[];
  /** True for a forward declaration (no body); registries resolve these to the definition by name. */
  readonly declaration: boolean;
}

export interface Enumerator {
  readonly name: string;
  readonly value: bigint;
}

export interface EnumType {
  readonly kind: 'enum';
  readonly name: string | undefined;
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly Enumerator[];
  readonly declaration: boolean;
}

export interface TypedefType {
  readonly kind: 'typedef';
  readonly name: string;
  readonly target: CType;
}

export interface QualifiedType {
  readonly kind: 'const' | 'volatile' | 'restrict' | 'atomic';
  readonly name?: undefined;
  readonly target: CType;
}

export interface FunctionType {
  readonly kind: 'function';
  readonly name: string | undefined;
}

export const VOID: VoidType = { kind: 'void' };

/**
 * A source of kernel type information. Names use C spelling: `struct page`, `union handle_parts`,
 * `enum pageflags`, a typedef name (`depot_stack_handle_t`) or a base type (`unsigned long`).
 */
export interface TypeRegistry {
  readonly source: 'btf' | 'dwarf';
  /** The definition of a named type (never a bare declaration when a definition exists anywhere). */
  lookup(name: string): CType | undefined;
  /** Declared type of a global variable (`mem_section`, `page_ext_size`), when the source records variables. */
  variableType(name: string): CType | undefined;
  /** Value of an enumerator by name, searched across every enum (`PAGE_EXT_OWNER`, `MIGRATE_TYPES`). */
  enumerator(name: string): bigint | undefined;
}
