/**
 * Every generation of the stack depot handle (lib/stackdepot.c `union handle_parts`), decoded from
 * the union's bitfields alone. Handles are packed the way the kernel's C bitfields pack them on a
 * little-endian CPU: the first field in the lowest bits.
 */
import { describe, expect, it } from 'vitest';
import { decodeHandle, handleLayoutOf } from '../../core/mm/stackdepot.js';
import type { CType, IntType, Member, TypeRegistry } from '../../core/types/ctype.js';
import { TypeLayout } from '../../core/types/layout.js';

const u32: IntType = { kind: 'int', name: 'unsigned int', size: 4, signed: false, isBool: false, isChar: false };
const noRegistry: TypeRegistry = { source: 'btf', lookup: () => undefined, variableType: () => undefined, enumerator: () => undefined };

function handleParts(fields: Array<[string, number]>): CType {
  let bit = 0;
  const members: Member[] = fields.map(([name, width]) => {
    const m = { name, type: u32, bitOffset: bit, bitSize: width };
    bit += width;
    return m;
  });
  const inner: CType = { kind: 'struct', name: undefined, size: 4, members, declaration: false };
  return { kind: 'union', name: 'handle_parts', size: 4, declaration: false, members: [
    { name: 'handle', type: u32, bitOffset: 0, bitSize: 0 },
    { name: undefined, type: inner, bitOffset: 0, bitSize: 0 },
  ] };
}

function pack(fields: Array<[string, number]>, values: Record<string, number>): number {
  let v = 0;
  let bit = 0;
  for (const [name, width] of fields) {
    v += (values[name] ?? 0) * 2 ** bit;
    bit += width;
  }
  return v >>> 0;
}

const GENERATIONS: Array<{ name: string; fields: Array<[string, number]>; pools: 'stack_slabs' | 'stack_pools' }> = [
  { name: '4.6–6.0', fields: [['slabindex', 21], ['offset', 10], ['valid', 1]], pools: 'stack_slabs' },
  { name: '6.1–6.2', fields: [['slabindex', 16], ['offset', 10], ['valid', 1], ['extra', 5]], pools: 'stack_slabs' },
  { name: '6.3–6.7', fields: [['pool_index', 16], ['offset', 10], ['valid', 1], ['extra', 5]], pools: 'stack_pools' },
  { name: '6.8.0–6.8.2', fields: [['pool_index', 17], ['offset', 10], ['extra', 5]], pools: 'stack_pools' },
  { name: '6.9+', fields: [['pool_index_plus_1', 17], ['offset', 10], ['extra', 5]], pools: 'stack_pools' },
];

describe('stack depot handle layouts', () => {
  const types = new TypeLayout(noRegistry);
  for (const g of GENERATIONS) {
    describe(g.name, () => {
      const layout = handleLayoutOf(types, handleParts(g.fields), g.pools);
      const plus1 = g.fields.some(([n]) => n === 'pool_index_plus_1');
      const hasValid = g.fields.some(([n]) => n === 'valid');
      const indexName = g.fields[0]![0];

      it('finds the pool index, the offset and the +1 convention', () => {
        expect(layout.indexPlusOne).toBe(plus1);
        expect(layout.poolsSymbol).toBe(g.pools);
        expect(layout.valid !== undefined).toBe(hasValid);
      });

      it('decodes pool and record offset (offset counted in 16-byte units)', () => {
        const handle = pack(g.fields, { [indexName]: plus1 ? 8 : 7, offset: 0x155, valid: 1, extra: 0x1f });
        expect(decodeHandle(layout, handle)).toEqual({ pool: 7, offset: 0x155 << 4 });
      });

      it('ignores the extra bits users store in the handle', () => {
        const a = pack(g.fields, { [indexName]: plus1 ? 2 : 1, offset: 3, valid: 1, extra: 0 });
        const b = pack(g.fields, { [indexName]: plus1 ? 2 : 1, offset: 3, valid: 1, extra: 0x15 });
        expect(decodeHandle(layout, b)).toEqual(decodeHandle(layout, a));
      });

      it('rejects handles the kernel rejects', () => {
        expect(decodeHandle(layout, 0)).toBeUndefined();
        if (hasValid) expect(decodeHandle(layout, pack(g.fields, { [indexName]: 3, offset: 3, valid: 0 }))).toBeUndefined();
        if (plus1) expect(decodeHandle(layout, pack(g.fields, { pool_index_plus_1: 0, offset: 3, extra: 1 }))).toBeUndefined();
      });
    });
  }
});
