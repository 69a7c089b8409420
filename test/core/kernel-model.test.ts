/**
 * The kernel model on real dumps: in-dump IKCONFIG equals the build's .config, per-cpu offsets,
 * typed views, list walking with its guards, and virtual/physical translation agreeing with the
 * direct-map arithmetic.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeKernel, openKernel } from '../../core/kernel/open.js';
import type { Kernel } from '../../core/kernel/kernel.js';
import { parseKconfig } from '../../core/symbols/vmlinux.js';
import { fixtureFile, fixtureSets, manifest } from '../helpers/fixtures.js';

for (const set of fixtureSets()) {
  describe(`${set}: kernel model`, () => {
    let k: Kernel;
    beforeAll(async () => {
      k = await openKernel({ paths: [fixtureFile(set, 'vmcore.elf')], ramFiles: [], vmlinux: fixtureFile(set, 'vmlinux') });
    });
    afterAll(() => closeKernel(k));

    it('reads IKCONFIG from the dump, equal to the committed .config', () => {
      const built = parseKconfig(readFileSync(fixtureFile(set, 'config'), 'latin1'));
      expect(k.config).toBeDefined();
      expect(k.configValue('PAGE_OWNER')).toBe('y');
      for (const [name, value] of built) expect(k.config!.get(name), name).toBe(value);
    });

    it('knows release, page size and per-cpu offsets', () => {
      const m = manifest(set);
      expect(k.release).toBe(m.kernelRelease);
      expect(k.pageSize).toBe(m.pageSize);
      expect(k.cpus('possible').length).toBe(k.nrCpuIds());
      const offs = k.percpuOffsets();
      expect(offs.length).toBe(k.nrCpuIds());
      expect(new Set(offs).size).toBe(offs.length);
    });

    it('typed views read struct members by name (init_uts_ns)', () => {
      const uts = k.object('struct uts_namespace', k.symbol('init_uts_ns'));
      expect(uts.str('name.sysname')).toBe('Linux');
      expect(uts.str('name.release')).toBe(k.release);
    });

    it('walks lists, and a length bound stops the walk with a warning', () => {
      const tasks = [...k.listForEach(k.symbol('init_task') + BigInt(k.offsetof('struct task_struct', 'tasks')), 'struct task_struct', 'tasks')];
      expect(tasks.length).toBeGreaterThan(10);
      const before = k.warnings.length;
      const bounded = [...k.listForEach(k.symbol('init_task') + BigInt(k.offsetof('struct task_struct', 'tasks')), 'struct task_struct', 'tasks', { limit: 5, what: 'tasks' })];
      expect(bounded).toEqual(tasks.slice(0, 5));
      expect(k.warnings.slice(before)).toEqual(['tasks: more than 5 entries; stopped']);
      const mods = [...k.listForEach(k.symbol('modules'), 'struct module', 'list')];
      expect(mods.map((a) => k.object('struct module', a).str('name'))).toContain(manifest(set).pgdemo.module);
    });

    it('page-table translation agrees with direct-map arithmetic', () => {
      const pa = k.memory.ranges[0]!.start + 0x123456n;
      const va = k.arch.physToVirt(pa);
      expect(k.virtToPhys(va)).toBe(pa);
    });
  });
}
