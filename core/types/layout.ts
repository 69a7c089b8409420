/**
 * Layout questions asked of any TypeRegistry: offsetof, sizeof, member types, bitfields.
 * Member lookup flattens anonymous structs/unions the way C does, so `page.lru` works
 * whether `lru` sits directly in `struct page` or inside one of its anonymous unions.
 */
import type { CType, CompositeType, EnumType, Member, TypeRegistry } from './ctype.js';

export class TypeError_ extends Error {}

/** A member found by (possibly nested, possibly anonymous-flattened) lookup. */
export interface ResolvedMember {
  readonly name: string;
  readonly type: CType;
  /** Bit offset from the start of the outermost type. */
  readonly bitOffset: number;
  readonly bitSize: number;
}

/** Drop typedefs and cv-qualifiers. */
export function strip(t: CType): CType {
  let cur = t;
  for (let i = 0; i < 64; i++) {
    if (cur.kind === 'typedef' || cur.kind === 'const' || cur.kind === 'volatile' || cur.kind === 'restrict' || cur.kind === 'atomic') {
      cur = cur.target;
    } else {
      return cur;
    }
  }
  throw new TypeError_('typedef chain too long');
}

export function typeName(t: CType): string {
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'int':
    case 'float':
    case 'typedef':
      return t.name;
    case 'struct':
    case 'union':
    case 'enum':
      return `${t.kind} ${t.name ?? '(anonymous)'}`;
    case 'pointer':
      return `${typeName(t.target)} *`;
    case 'array':
      return `${typeName(t.element)}[${t.length || ''}]`;
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'atomic':
      return `${t.kind} ${typeName(t.target)}`;
    case 'function':
      return `function ${t.name ?? ''}`.trim();
  }
}

/**
 * sizeof for any type, given how to resolve typedefs/qualifiers and forward declarations
 * (`resolve` must at least strip them). void counts as 1 byte, as GNU C does; functions have no size.
 */
export function byteSizeOf(t: CType, resolve: (t: CType) => CType = strip): number | undefined {
  const ty = resolve(t);
  switch (ty.kind) {
    case 'int':
    case 'float':
    case 'pointer':
    case 'struct':
    case 'union':
    case 'enum':
      return ty.size;
    case 'array': {
      const e = byteSizeOf(ty.element, resolve);
      return e === undefined ? undefined : ty.length * e;
    }
    case 'void':
      return 1;
    default:
      return undefined;
  }
}

export class TypeLayout {
  private readonly memberCache = new Map<string, ResolvedMember | null>();
  private readonly typeCache = new Map<string, CType | null>();

  constructor(readonly registry: TypeRegistry) {}

  /** Look a type up by C name, or throw a clear error. */
  type(name: string): CType {
    const t = this.find(name);
    if (!t) throw new TypeError_(`type '${name}' not found in ${this.registry.source.toUpperCase()} type info`);
    return t;
  }

  find(name: string): CType | undefined {
    let t = this.typeCache.get(name);
    if (t === undefined) {
      t = this.registry.lookup(name) ?? null;
      this.typeCache.set(name, t);
    }
    return t ?? undefined;
  }

  /** Resolve a forward declaration to its definition (same kind and name). */
  complete(t: CType): CType {
    const s = strip(t);
    if ((s.kind === 'struct' || s.kind === 'union' || s.kind === 'enum') && s.declaration && s.name) {
      return this.find(`${s.kind} ${s.name}`) ?? s;
    }
    return s;
  }

  sizeof(t: CType | string): number {
    const ty = typeof t === 'string' ? this.type(t) : t;
    const size = byteSizeOf(ty, (x) => this.complete(x));
    if (size === undefined) throw new TypeError_(`sizeof: ${typeName(strip(ty))} has no size`);
    return size;
  }

  private composite(t: CType | string): CompositeType {
    const ty = this.complete(typeof t === 'string' ? this.type(t) : t);
    if (ty.kind !== 'struct' && ty.kind !== 'union') {
      throw new TypeError_(`${typeName(ty)} is not a struct or union`);
    }
    return ty;
  }

  /**
   * Find a member by path: `flags`, `lru.next`, `pcp.count`, `entries[2]` (array subscripts allowed).
   * Returns undefined when any step is missing.
   */
  findMember(t: CType | string, path: string): ResolvedMember | undefined {
    const key = typeof t === 'string' ? `${t}\0${path}` : undefined;
    if (key !== undefined) {
      const hit = this.memberCache.get(key);
      if (hit !== undefined) return hit ?? undefined;
    }
    const result = this.walkPath(typeof t === 'string' ? this.find(t) : t, path);
    if (key !== undefined) this.memberCache.set(key, result ?? null);
    return result;
  }

  private walkPath(start: CType | undefined, path: string): ResolvedMember | undefined {
    if (!start) return undefined;
    let cur: CType = start;
    let bitOffset = 0;
    let bitSize = 0;
    let name = '';
    for (const step of parsePath(path)) {
      if (typeof step === 'number') {
        const arr = this.complete(cur);
        if (arr.kind === 'array') {
          cur = arr.element;
        } else if (arr.kind === 'pointer') {
          return undefined; // indexing through a pointer is a read, not a layout question
        } else {
          return undefined;
        }
        bitOffset += step * this.sizeof(cur) * 8;
        name += `[${step}]`;
        continue;
      }
      const comp = this.complete(cur);
      if (comp.kind !== 'struct' && comp.kind !== 'union') return undefined;
      const m = findDirectOrAnonymous(this, comp, step);
      if (!m) return undefined;
      bitOffset += m.bitOffset;
      bitSize = m.bitSize;
      cur = m.type;
      name = name ? `${name}.${step}` : step;
    }
    return { name, type: cur, bitOffset, bitSize };
  }

  hasMember(t: CType | string, path: string): boolean {
    if (typeof t === 'string' && !this.find(t)) return false;
    return this.findMember(t, path) !== undefined;
  }

  member(t: CType | string, path: string): ResolvedMember {
    const m = this.findMember(t, path);
    if (!m) {
      const tn = typeof t === 'string' ? t : typeName(t);
      throw new TypeError_(`${tn} has no member '${path}' in ${this.registry.source.toUpperCase()} type info`);
    }
    return m;
  }

  /** Byte offset of a member (throws for bitfields that do not start on a byte). */
  offsetof(t: CType | string, path: string): number {
    const m = this.member(t, path);
    if (m.bitOffset % 8 !== 0) {
      throw new TypeError_(`offsetof(${typeof t === 'string' ? t : typeName(t)}, ${path}): bitfield at bit ${m.bitOffset}`);
    }
    return m.bitOffset / 8;
  }

  /** Members of a struct/union as declared (anonymous members included unflattened). */
  members(t: CType | string): readonly Member[] {
    return this.composite(t).members;
  }

  enumType(name: string): EnumType {
    const t = this.complete(this.type(name.startsWith('enum ') ? name : `enum ${name}`));
    if (t.kind !== 'enum') throw new TypeError_(`${name} is not an enum`);
    return t;
  }

  /** Value of an enumerator (`PAGE_EXT_OWNER`), or undefined. */
  enumValue(enumerator: string): bigint | undefined {
    return this.registry.enumerator(enumerator);
  }
}

function findDirectOrAnonymous(layout: TypeLayout, comp: CompositeType, name: string): Member | undefined {
  for (const m of comp.members) {
    if (m.name === name) return m;
  }
  for (const m of comp.members) {
    if (m.name !== undefined) continue;
    const inner = layout.complete(m.type);
    if (inner.kind !== 'struct' && inner.kind !== 'union') continue;
    const found = findDirectOrAnonymous(layout, inner, name);
    if (found) {
      return { name: found.name, type: found.type, bitOffset: m.bitOffset + found.bitOffset, bitSize: found.bitSize };
    }
  }
  return undefined;
}

function parsePath(path: string): Array<string | number> {
  const steps: Array<string | number> = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\./gy;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < path.length && (m = re.exec(path)) !== null) {
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
  }
  if (re.lastIndex !== path.length) throw new TypeError_(`bad member path '${path}'`);
  return steps;
}
