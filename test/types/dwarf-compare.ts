/**
 * Member-by-member comparison of two type registries (DWARF under test vs BTF as the reference).
 * Returns human-readable differences; an empty list means the types agree.
 *
 * Compared: kind, name, size, declaration, every member's name / bit offset / bit size / type name,
 * nested anonymous structs and unions recursively, enum signedness and values, typedef targets.
 * Not compared: IntType.isChar (pahole never sets BTF_INT_CHAR; DWARF knows which types are chars).
 */
import type { CType, TypeRegistry } from '../../core/types/ctype.js';
import { strip, typeName } from '../../core/types/layout.js';

export function compareNamedType(reference: TypeRegistry, actual: TypeRegistry, name: string): string[] {
  const want = reference.lookup(name);
  const got = actual.lookup(name);
  if (!want) return [`${name}: missing from ${reference.source}`];
  if (!got) return [`${name}: missing from ${actual.source}`];
  const diffs: string[] = [];
  compareType(want, got, name, diffs, 0);
  return diffs;
}

/** Compare two types; typedefs are followed one level (their targets' names are compared). */
export function compareType(want: CType, got: CType, path: string, diffs: string[], depth: number): void {
  if (depth > 8) return;
  if (want.kind !== got.kind) {
    diffs.push(`${path}: kind ${want.kind} vs ${got.kind}`);
    return;
  }
  if (want.name !== got.name) diffs.push(`${path}: name ${String(want.name)} vs ${String(got.name)}`);
  switch (want.kind) {
    case 'int': {
      const g = got as typeof want;
      if (want.size !== g.size) diffs.push(`${path}: size ${want.size} vs ${g.size}`);
      if (want.signed !== g.signed) diffs.push(`${path}: signed ${want.signed} vs ${g.signed}`);
      if (want.isBool !== g.isBool) diffs.push(`${path}: isBool ${want.isBool} vs ${g.isBool}`);
      return;
    }
    case 'float':
    case 'pointer': {
      const g = got as typeof want;
      if (want.size !== g.size) diffs.push(`${path}: size ${want.size} vs ${g.size}`);
      if (want.kind === 'pointer' && g.kind === 'pointer') {
        const wn = typeName(want.target);
        const gn = typeName(g.target);
        if (wn !== gn) diffs.push(`${path}: points to ${wn} vs ${gn}`);
      }
      return;
    }
    case 'array': {
      // pahole flattens `int a[5][2][4]` into int[40] in BTF; DWARF keeps the C nesting.
      const w = flatten(want);
      const g = flatten(got);
      if (w.length !== g.length) diffs.push(`${path}: ${w.length} elements vs ${g.length}`);
      compareType(w.element, g.element, `${path}[]`, diffs, depth + 1);
      return;
    }
    case 'typedef': {
      const g = got as typeof want;
      const wn = typeName(want.target);
      const gn = typeName(g.target);
      if (wn !== gn) diffs.push(`${path}: typedef of ${wn} vs ${gn}`);
      else if (depth === 0) compareType(want.target, g.target, `${path}→`, diffs, depth + 1);
      return;
    }
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'atomic': {
      const g = got as typeof want;
      compareType(want.target, g.target, `${path}(${want.kind})`, diffs, depth + 1);
      return;
    }
    case 'enum': {
      const g = got as typeof want;
      // pahole turns a DWARF enum forward declaration into a BTF enum of size 4 with no values.
      if (want.values.length === 0 && g.values.length === 0) return;
      if (want.size !== g.size) diffs.push(`${path}: size ${want.size} vs ${g.size}`);
      if (want.declaration !== g.declaration) diffs.push(`${path}: declaration ${want.declaration} vs ${g.declaration}`);
      if (want.signed !== g.signed) diffs.push(`${path}: signed ${want.signed} vs ${g.signed}`);
      const wv = want.values.map((v) => `${v.name}=${v.value}`).join(',');
      const gv = g.values.map((v) => `${v.name}=${v.value}`).join(',');
      if (wv !== gv) diffs.push(`${path}: values ${wv} vs ${gv}`);
      return;
    }
    case 'struct':
    case 'union': {
      const g = got as typeof want;
      if (want.size !== g.size) diffs.push(`${path}: size ${want.size} vs ${g.size}`);
      if (want.declaration !== g.declaration) diffs.push(`${path}: declaration ${want.declaration} vs ${g.declaration}`);
      if (want.members.length !== g.members.length) {
        diffs.push(`${path}: ${want.members.length} members vs ${g.members.length}: ${want.members.map((m) => m.name).join(',')} vs ${g.members.map((m) => m.name).join(',')}`);
        return;
      }
      want.members.forEach((wm, i) => {
        const gm = g.members[i]!;
        const mp = `${path}.${wm.name ?? `(anon#${i})`}`;
        if (wm.name !== gm.name) diffs.push(`${mp}: name ${String(wm.name)} vs ${String(gm.name)}`);
        if (wm.bitOffset !== gm.bitOffset) diffs.push(`${mp}: bitOffset ${wm.bitOffset} vs ${gm.bitOffset}`);
        if (wm.bitSize !== gm.bitSize) diffs.push(`${mp}: bitSize ${wm.bitSize} vs ${gm.bitSize}`);
        const wn = flatTypeName(wm.type);
        const gn = flatTypeName(gm.type);
        if (wn !== gn) diffs.push(`${mp}: type ${wn} vs ${gn}`);
        // Anonymous aggregates have no name to compare by: descend into them.
        const ws = strip(wm.type);
        const gs = strip(gm.type);
        if ((ws.kind === 'struct' || ws.kind === 'union') && ws.name === undefined) compareType(ws, gs, mp, diffs, depth + 1);
        else if (ws.kind === 'array' || ws.kind === 'int' || ws.kind === 'enum' || ws.kind === 'pointer') compareType(ws, gs, mp, diffs, depth + 1);
      });
      return;
    }
    case 'void':
    case 'function':
      return;
  }
}

/** An array as (total element count, innermost non-array element). */
export function flatten(t: CType): { length: number; element: CType } {
  let length = 1;
  let cur = t;
  while (cur.kind === 'array') {
    length *= cur.length;
    cur = cur.element;
  }
  return { length, element: cur };
}

/** typeName with multi-dimensional arrays written as one dimension (pahole's BTF spelling). */
export function flatTypeName(t: CType): string {
  if (t.kind !== 'array') return typeName(t);
  const { length, element } = flatten(t);
  return `${typeName(element)}[${length || ''}]`;
}
