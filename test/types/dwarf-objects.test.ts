/**
 * DWARF type source on the small committed objects of test/data/dwarf (made by make.sh from
 * src/*.c). Expected values come from the compiler, not from this reader: offsets and sizes that
 * src/types_a.c proves with _Static_assert, and the .BTF that pahole wrote into each object from the
 * same DWARF, compared member by member.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ElfFile } from '../../core/elf/elf-file.js';
import { BtfRegistry } from '../../core/types/btf.js';
import type { CType } from '../../core/types/ctype.js';
import { DwarfError, openDwarfRegistry, type DwarfRegistry } from '../../core/types/dwarf/index.js';
import { TypeLayout, strip, typeName } from '../../core/types/layout.js';
import { FileReader } from '../../core/util/file-reader.js';
import { compareNamedType } from './dwarf-compare.js';

const DATA = join(import.meta.dirname, '../data/dwarf');

interface ObjectCase {
  file: string;
  /** DWARF version the compiler wrote (2 is -gstrict-dwarf: no restrict or _Atomic tags). */
  version: 2 | 4 | 5;
  /** Base type names differ: gcc says `long unsigned int`, clang `unsigned long`. */
  compiler?: 'clang';
  littleEndian: boolean;
  /** Object whose .BTF is the reference (pahole ignores type units, so those use the plain build's). */
  btfFrom: string;
  /** Types pahole cannot encode correctly in this object. */
  btfBlind: string[];
}

const ATOMICS = ['struct atomics'];
const CASES: ObjectCase[] = [
  { file: 'x86_64-dwarf4.o', version: 4, littleEndian: true, btfFrom: 'x86_64-dwarf4.o', btfBlind: ATOMICS },
  { file: 'x86_64-dwarf5.o', version: 5, littleEndian: true, btfFrom: 'x86_64-dwarf5.o', btfBlind: ATOMICS },
  // Strict DWARF 2 has no DW_AT_type on enums, so pahole guesses s64_enum unsigned (we read the sign from the values).
  { file: 'x86_64-dwarf2.o', version: 2, littleEndian: true, btfFrom: 'x86_64-dwarf2.o', btfBlind: [...ATOMICS, 'enum s64_enum'] },
  { file: 'x86_64-dwarf5-zlib.o', version: 5, littleEndian: true, btfFrom: 'x86_64-dwarf5-zlib.o', btfBlind: ATOMICS },
  { file: 'x86_64-dwarf5-dwarf64.o', version: 5, littleEndian: true, btfFrom: 'x86_64-dwarf5.o', btfBlind: ATOMICS },
  { file: 'x86_64-dwarf4-types.o', version: 4, littleEndian: true, btfFrom: 'x86_64-dwarf4.o', btfBlind: ATOMICS },
  { file: 'x86_64-dwarf5-types.o', version: 5, littleEndian: true, btfFrom: 'x86_64-dwarf5.o', btfBlind: ATOMICS },
  { file: 'x86_64-dwarf5-linked.so', version: 5, littleEndian: true, btfFrom: 'x86_64-dwarf5-linked.so', btfBlind: ATOMICS },
  { file: 'x86_64-clang-dwarf5.o', version: 5, compiler: 'clang', littleEndian: true, btfFrom: 'x86_64-clang-dwarf5.o', btfBlind: ATOMICS },
  { file: 'x86_64-clang-dwarf4.o', version: 4, compiler: 'clang', littleEndian: true, btfFrom: 'x86_64-clang-dwarf4.o', btfBlind: ATOMICS },
  { file: 'aarch64-dwarf5.o', version: 5, littleEndian: true, btfFrom: 'aarch64-dwarf5.o', btfBlind: ATOMICS },
  { file: 'ppc64be-dwarf4.o', version: 4, littleEndian: false, btfFrom: 'ppc64be-dwarf4.o', btfBlind: ATOMICS },
  { file: 'ppc64be-dwarf5.o', version: 5, littleEndian: false, btfFrom: 'ppc64be-dwarf5.o', btfBlind: ATOMICS },
];

/** Every named type in src/: the index must find each of them. */
const NAMED_TYPES = [
  'struct list_head',
  'union handle_parts',
  'struct page_like',
  'struct bits',
  'struct flex',
  'struct zero_len',
  'struct multi',
  'struct atomics',
  'struct uses_fwd',
  'struct outer',
  'struct inner_named',
  'struct float_things',
  'struct fwd_only',
  'enum pageflags_like',
  'enum signs',
  'enum big_unsigned',
  'enum u64_enum',
  'enum s64_enum',
  'u8',
  'u16',
  'u32',
  'u64',
  's64',
  'depot_stack_handle_t',
  'handle_alias_t',
];

/** offsetof / sizeof values proven by _Static_assert in src/types_a.c and src/types_b.c. */
const OFFSETS: Array<[string, string, number]> = [
  ['struct page_like', 'flags', 0],
  ['struct page_like', 'lru', 8],
  ['struct page_like', 'lru.prev', 16],
  ['struct page_like', 'mapping', 24],
  ['struct page_like', 'index', 32],
  ['struct page_like', 'pp', 16],
  ['struct page_like', 'compound_order', 17],
  ['struct page_like', 'page_type', 40],
  ['struct page_like', 'refcount', 44],
  ['struct page_like', 'memcg_data', 48],
  ['struct bits', 'e', 8],
  ['struct bits', 'h', 24],
  ['struct flex', 'data', 8],
  ['struct zero_len', 'pad', 4],
  ['struct multi', 'names', 48],
  ['struct multi', 'cv', 80],
  ['struct multi', 'rp', 88],
  ['struct multi', 'strings', 96],
  ['struct multi', 'callback', 104],
  ['struct multi', 'handles', 112],
  ['struct atomics', 'head', 8],
  ['struct uses_fwd', 'node', 8],
  ['struct uses_fwd', 's', 24],
  ['struct outer', 'l', 8],
  ['struct outer', 's2', 10],
  ['struct outer', 'tail', 16],
  ['struct float_things', 'd', 8],
  ['struct float_things', 'uc', 19],
  ['struct fwd_only', 'h', 16],
  ['struct fwd_only', 'list', 24],
];
const SIZES: Array<[string, number]> = [
  ['struct page_like', 56],
  ['struct bits', 32],
  ['struct flex', 8],
  ['struct multi', 120],
  ['struct fwd_only', 40],
];

function open(file: string): { elf: ElfFile; dwarf: DwarfRegistry } {
  const elf = new ElfFile(new FileReader(join(DATA, file)));
  return { elf, dwarf: openDwarfRegistry(elf) };
}

function btfOf(file: string): BtfRegistry {
  const elf = new ElfFile(new FileReader(join(DATA, file)));
  return new BtfRegistry(elf.sectionData('.BTF'), 8);
}

/** Kinds along a typedef/qualifier chain down to the first other type. */
function chain(t: CType): string[] {
  const out: string[] = [];
  let cur = t;
  for (;;) {
    out.push(cur.kind === 'typedef' ? `typedef ${cur.name}` : cur.kind);
    if (cur.kind === 'typedef' || cur.kind === 'const' || cur.kind === 'volatile' || cur.kind === 'restrict' || cur.kind === 'atomic') cur = cur.target;
    else return out;
  }
}

describe('DWARF type source on committed test objects', () => {
  for (const c of CASES) {
    describe.runIf(existsSync(join(DATA, c.file)))(c.file, () => {
      const { elf, dwarf } = open(c.file);
      const layout = new TypeLayout(dwarf);
      const clang = c.compiler === 'clang';
      const ulong = clang ? 'unsigned long' : 'long unsigned int';

      it('reads the right byte order', () => {
        expect(elf.littleEndian).toBe(c.littleEndian);
        expect(dwarf.source).toBe('dwarf');
      });

      it('indexes every named type of the sources', () => {
        const missing = NAMED_TYPES.filter((n) => dwarf.lookup(n) === undefined);
        expect(missing).toEqual([]);
      });

      it("agrees member by member with pahole's BTF of the same DWARF", () => {
        const btf = btfOf(c.btfFrom);
        const diffs = NAMED_TYPES.filter((n) => !c.btfBlind.includes(n)).flatMap((n) => compareNamedType(btf, dwarf, n));
        expect(diffs).toEqual([]);
      });

      it('gives the offsets and sizes _Static_assert proves', () => {
        for (const [type, member, off] of OFFSETS) expect(layout.offsetof(type, member), `${type}.${member}`).toBe(off);
        for (const [type, size] of SIZES) expect(layout.sizeof(type), type).toBe(size);
      });

      it('flattens anonymous members and keeps them unnamed', () => {
        const page = layout.members('struct page_like');
        expect(page.map((m) => m.name)).toEqual(['flags', undefined, undefined, 'refcount', 'memcg_data']);
        const anon = strip(page[1]!.type);
        expect(anon.kind).toBe('union');
        expect(anon.name).toBeUndefined();
      });

      it('lays out the handle_parts bitfields like the C ABI', () => {
        const m = (name: string) => layout.member('union handle_parts', name);
        // Allocation order is memory order on both byte orders in BTF's convention.
        expect([m('pool_index_plus_1').bitOffset, m('pool_index_plus_1').bitSize]).toEqual([0, 17]);
        expect([m('offset').bitOffset, m('offset').bitSize]).toEqual([17, 10]);
        expect([m('extra').bitOffset, m('extra').bitSize]).toEqual([27, 5]);
        expect(m('handle').bitSize).toBe(0);
        expect(layout.sizeof('union handle_parts')).toBe(4);
      });

      it('completes a forward declaration from the other unit', () => {
        const uses = layout.member('struct uses_fwd', 'p').type;
        expect(uses.kind).toBe('pointer');
        const target = uses.kind === 'pointer' ? uses.target : uses;
        expect(target.kind).toBe('struct');
        expect(target.kind === 'struct' && target.declaration).toBe(false);
        expect(layout.sizeof(target)).toBe(40);
        expect(dwarf.lookup('struct fwd_only')).toMatchObject({ declaration: false, size: 40 });
      });

      it('gives flexible and zero-length arrays length 0', () => {
        expect(layout.member('struct flex', 'data').type).toMatchObject({ kind: 'array', length: 0 });
        expect(layout.member('struct zero_len', 'pad').type).toMatchObject({ kind: 'array', length: 0 });
      });

      it('nests multi-dimensional arrays', () => {
        const grid = layout.member('struct multi', 'grid').type;
        expect(grid).toMatchObject({ kind: 'array', length: 3, element: { kind: 'array', length: 4 } });
        const names = layout.member('struct multi', 'names').type;
        expect(names).toMatchObject({ kind: 'array', length: 2, element: { kind: 'array', length: 3, element: { kind: 'array', length: 5 } } });
        expect(layout.offsetof('struct multi', 'grid[1][2]')).toBe((1 * 4 + 2) * 4);
        expect(layout.sizeof(names)).toBe(30);
      });

      it('keeps qualifiers, function pointers and typedef chains', () => {
        expect(chain(layout.member('struct multi', 'cv').type).sort()).toEqual(['const', 'int', 'volatile']);
        // gcc emits DW_TAG_restrict_type from DWARF 3 on and DW_TAG_atomic_type only in DWARF 5.
        expect(chain(layout.member('struct multi', 'rp').type)).toEqual(c.version >= 3 ? ['restrict', 'pointer'] : ['pointer']);
        expect(chain(layout.member('struct atomics', 'counter').type)).toEqual(c.version >= 5 ? ['atomic', 'int'] : ['int']);
        const cb = layout.member('struct multi', 'callback').type;
        expect(cb.kind === 'pointer' && cb.target.kind).toBe('function');
        expect(chain(dwarf.lookup('handle_alias_t')!)).toEqual(['typedef handle_alias_t', 'typedef depot_stack_handle_t', 'typedef u32', 'int']);
        expect(strip(dwarf.lookup('handle_alias_t')!)).toMatchObject({ kind: 'int', name: 'unsigned int', size: 4, signed: false });
      });

      it('reads base types with their gcc names', () => {
        expect(dwarf.lookup(ulong)).toMatchObject({ kind: 'int', size: 8, signed: false, isBool: false });
        expect(dwarf.lookup('_Bool')).toMatchObject({ kind: 'int', size: 1, isBool: true });
        expect(dwarf.lookup('unsigned char')).toMatchObject({ kind: 'int', size: 1, signed: false, isChar: true });
        expect(dwarf.lookup('double')).toMatchObject({ kind: 'float', size: 8 });
        expect(dwarf.lookup('char')).toMatchObject({ kind: 'int', size: 1, isChar: true });
        expect(dwarf.lookup('no such type')).toBeUndefined();
        expect(dwarf.lookup('struct no_such_struct')).toBeUndefined();
        const p = layout.member('struct list_head', 'next').type;
        expect(p).toMatchObject({ kind: 'pointer', size: 8 });
      });

      it('reads enums: signedness, negative and 64-bit values', () => {
        expect(layout.enumType('signs')).toMatchObject({ signed: true, size: 4 });
        expect(layout.enumType('signs').values).toEqual([
          { name: 'NEG_BIG', value: -2147483648n },
          { name: 'NEG_ONE', value: -1n },
          { name: 'ZERO', value: 0n },
          { name: 'POS', value: 5n },
          { name: 'POS_200', value: 200n },
        ]);
        expect(layout.enumType('big_unsigned')).toMatchObject({ signed: false, size: 4 });
        expect(dwarf.enumerator('BU_MAX')).toBe(0xffffffffn);
        expect(dwarf.enumerator('U64_BIG')).toBe(0xfedcba9876543210n);
        expect(layout.enumType('s64_enum')).toMatchObject({ signed: true, size: 8 });
        expect(dwarf.enumerator('S64_MIN')).toBe(-(2n ** 63n));
        expect(dwarf.enumerator('S64_MAX')).toBe(2n ** 63n - 1n);
      });

      it('finds enumerators of named and anonymous enums in any unit', () => {
        expect(dwarf.enumerator('PGL_uptodate')).toBe(2n);
        expect(dwarf.enumerator('PGL_alias')).toBe(1n);
        expect(dwarf.enumerator('ANON_SECOND')).toBe(200n);
        expect(dwarf.enumerator('B_ONLY_TWO')).toBe(2n);
        expect(dwarf.enumerator('NO_SUCH_ENUMERATOR')).toBeUndefined();
      });

      it('types global variables, preferring definitions', () => {
        expect(typeName(dwarf.variableType('global_page')!)).toBe('struct page_like');
        expect(typeName(dwarf.variableType('global_handle')!)).toBe('union handle_parts');
        // types_a.c only declares `extern int table_b[]`; types_b.c defines it with 7 elements.
        expect(dwarf.variableType('table_b')).toMatchObject({ kind: 'array', length: 7 });
        expect(dwarf.variableType('fwd_var')).toMatchObject({ kind: 'struct', declaration: false, size: 40 });
        // Defined through DW_AT_specification (declared first in the same unit).
        expect(typeName(dwarf.variableType('spec_var')!)).toBe(ulong);
        expect(typeName(dwarf.variableType('file_static_a')!)).toBe('int');
        expect(typeName(dwarf.variableType('file_static_b')!)).toBe(clang ? 'long' : 'long int');
        expect(typeName(dwarf.variableType('global_flex')!)).toBe('struct flex *');
        expect(dwarf.variableType('no_such_variable')).toBeUndefined();
      });

      it('resolves a struct defined inside another at file scope', () => {
        expect(layout.member('struct outer', 'in').type).toMatchObject({ kind: 'struct', name: 'inner_named', size: 8 });
        expect(layout.offsetof('struct inner_named', 'z')).toBe(4);
      });
    });
  }

  it.each([4, 5])('gives the same answers for every DWARF %i format and container (x86_64 gcc)', (version) => {
    const present = CASES.filter((c) => existsSync(join(DATA, c.file)) && c.version === version && c.file.startsWith('x86_64') && !c.compiler);
    expect(present.length).toBeGreaterThan(1);
    const render = (file: string): string => {
      const { dwarf } = open(file);
      const layout = new TypeLayout(dwarf);
      return NAMED_TYPES.map((n) => {
        const t = layout.complete(dwarf.lookup(n)!);
        if (t.kind !== 'struct' && t.kind !== 'union') return `${n}=${typeName(t)}`;
        return `${n}{${t.members.map((m) => `${m.name}:${typeName(m.type)}@${m.bitOffset}/${m.bitSize}`).join(',')}}`;
      }).join('\n');
    };
    const reference = render(present[0]!.file);
    for (const c of present.slice(1)) expect(render(c.file), c.file).toBe(reference);
  });

  it('fails clearly, naming the file, when there is no DWARF', () => {
    const path = join(DATA, 'x86_64-nodebug.o');
    const elf = new ElfFile(new FileReader(path));
    expect(() => openDwarfRegistry(elf)).toThrow(DwarfError);
    expect(() => openDwarfRegistry(elf)).toThrow(/x86_64-nodebug\.o: DWARF: no \.debug_info/);
  });
});
