/**
 * The checks run against a real vmlinux that carries both DWARF and .BTF: the DWARF source must
 * agree with the BTF source member by member on every type the plugins use.
 */
import { beforeAll, expect, it } from 'vitest';
import { ElfFile } from '../../core/elf/elf-file.js';
import { BtfRegistry } from '../../core/types/btf.js';
import { openDwarfRegistry, type DwarfRegistry } from '../../core/types/dwarf/index.js';
import { TypeLayout } from '../../core/types/layout.js';
import { FileReader } from '../../core/util/file-reader.js';
import { compareNamedType } from './dwarf-compare.js';
import { ENUMERATORS, compareKernelTypes } from './dwarf-kernel-types.js';

export interface KernelSuiteOptions {
  /** Also compare every struct/union/enum/typedef and require this share to agree (names can be ambiguous across units). */
  exhaustiveAgreement?: number;
}

export function defineKernelChecks(label: string, vmlinuxPath: () => string, options: KernelSuiteOptions = {}): void {
  let elf: ElfFile;
  let btf: BtfRegistry;
  let dwarf: DwarfRegistry;
  let indexMs = 0;

  beforeAll(() => {
    elf = new ElfFile(new FileReader(vmlinuxPath()));
    if (!elf.section('.debug_info')) throw new Error(`${label}: ${elf.path} has no .debug_info, but this set is expected to carry DWARF`);
    if (!elf.section('.BTF')) throw new Error(`${label}: ${elf.path} has no .BTF to compare against`);
    btf = new BtfRegistry(elf.sectionData('.BTF'), elf.is64 ? 8 : 4);
    const t0 = performance.now();
    dwarf = openDwarfRegistry(elf);
    indexMs = performance.now() - t0;
  });

  it(`${label}: agrees with BTF on every type the plugins use`, () => {
    const r = compareKernelTypes(btf, dwarf);
    console.log(`${label}: DWARF indexed in ${indexMs.toFixed(0)} ms (${JSON.stringify(dwarf.stats)}); compared ${r.compared.length} types, absent from this kernel: ${r.absentFromBoth.join(', ') || 'none'}`);
    expect(r.diffs).toEqual([]);
    expect(r.compared.length).toBeGreaterThan(20);
  });

  it(`${label}: agrees with BTF on enumerator values`, () => {
    for (const name of ENUMERATORS) {
      const want = btf.enumerator(name);
      if (want !== undefined) expect(dwarf.enumerator(name), name).toBe(want);
    }
  });

  it(`${label}: gives layout answers the BTF source gives`, () => {
    const a = new TypeLayout(btf);
    const b = new TypeLayout(dwarf);
    for (const [type, path] of [
      ['struct page', 'flags'],
      ['struct page', 'lru'],
      ['struct page', 'mapping'],
      ['struct page', '_refcount'],
      ['struct task_struct', 'tasks'],
      ['struct task_struct', 'comm'],
      ['struct task_struct', 'pid'],
      ['struct zone', 'free_area'],
      ['struct kmem_cache', 'name'],
      ['struct module', 'list'],
    ] as const) {
      expect(b.offsetof(type, path), `${type}.${path}`).toBe(a.offsetof(type, path));
    }
    expect(b.sizeof('struct page')).toBe(a.sizeof('struct page'));
  });

  it(`${label}: types __per_cpu_offset like its symbol (NR_CPUS longs)`, () => {
    const sym = elf.symbols().find((s) => s.name === '__per_cpu_offset');
    const t = dwarf.variableType('__per_cpu_offset');
    if (!sym) {
      expect(t).toBeUndefined(); // !CONFIG_SMP
      return;
    }
    expect(t).toMatchObject({ kind: 'array' });
    expect(new TypeLayout(dwarf).sizeof(t!)).toBe(sym.size);
  });

  if (options.exhaustiveAgreement !== undefined) {
    const share = options.exhaustiveAgreement;
    it(`${label}: agrees with BTF on at least ${(share * 100).toFixed(1)}% of all named types`, () => {
      const differing: string[] = [];
      let total = 0;
      for (const kind of ['struct', 'union', 'enum', 'typedef'] as const) {
        for (const name of dwarf.names(kind)) {
          const full = kind === 'typedef' ? name : `${kind} ${name}`;
          if (btf.lookup(full) === undefined) continue; // BTF omits some (e.g. types only in unused units)
          total++;
          if (compareNamedType(btf, dwarf, full).length) differing.push(full);
        }
      }
      console.log(`${label}: ${total - differing.length}/${total} named types agree; differing (defined differently in different units): ${differing.join(', ')}`);
      expect(total).toBeGreaterThan(1000);
      expect((total - differing.length) / total).toBeGreaterThanOrEqual(share);
    });
  }
}
