/**
 * Issue 3 acceptance on every committed fixture: for each input form (ELF, raw dump.bin with no base,
 * dump.bin@base, --ram-file), --info reports the true KASLR offset and release, and --ps lists every pid
 * of the live capture with the same comm. Bad inputs give one clear line and a non-zero exit.
 */
import { closeSync, copyFileSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureFile, fixtureSets, fixtureText, manifest, rawDump } from '../helpers/fixtures.js';
import { ramparse, tempDir } from '../helpers/run.js';

const SETS = fixtureSets();

function inputForms(set: string): Array<{ name: string; args: string[] }> {
  const elf = fixtureFile(set, 'vmcore.elf');
  const raw = rawDump(set);
  const rawEnd = raw.base + BigInt(statSync(raw.path).size) - 1n;
  return [
    { name: 'ELF vmcore', args: [elf] },
    { name: 'kdump-compressed (flattened, as QEMU wrote it)', args: [fixtureFile(set, 'vmcore.kdump')] },
    { name: 'raw dump.bin, no base', args: [raw.path] },
    { name: 'dump.bin@base', args: [`${raw.path}@0x${raw.base.toString(16)}`] },
    { name: '--ram-file', args: ['--ram-file', raw.path, `0x${raw.base.toString(16)}`, `0x${rawEnd.toString(16)}`] },
  ];
}

/** Live task list: "pid tgid state comm" lines written by the guest from /proc/<p>/task/<t>/status. */
function liveTasks(set: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of fixtureText(set, 'live/tasks.txt').split('\n')) {
    const m = /^(\d+)\s+(\d+)\s+(\S)\s+(.*)$/.exec(line);
    if (m) out.set(Number(m[1]), m[4]!);
  }
  return out;
}

for (const set of SETS) {
  describe(`${set}: locate the kernel`, () => {
    const m = manifest(set);
    const vmlinux = () => fixtureFile(set, 'vmlinux');

    for (const form of ['ELF vmcore', 'kdump-compressed (flattened, as QEMU wrote it)', 'raw dump.bin, no base', 'dump.bin@base', '--ram-file'].map((name) => ({ name, args: () => inputForms(set).find((f) => f.name === name)!.args }))) {
      it(`--info from ${form.name} reports the true KASLR offset and release`, () => {
        const r = ramparse(['--info', ...form.args(), '--vmlinux', vmlinux(), '--format', 'json']);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const info = JSON.parse(r.stdout) as Record<string, unknown>;
        expect(info.kaslrOffset).toBe(m.kaslrOffset);
        expect(info.release).toBe(m.kernelRelease);
        expect(info.arch).toBe(m.arch);
        expect(info.pageSize).toBe(m.pageSize);
        expect(Number(info.tasks)).toBeGreaterThan(10);
        const ranges = info.memoryRanges as Array<{ start: string; end: string }>;
        expect(BigInt(ranges[0]!.start)).toBe(BigInt(m.memoryRanges[0]!.start));
      });

      it(`--ps from ${form.name} lists every live pid with the same comm`, () => {
        const r = ramparse(['--ps', ...form.args(), '--vmlinux', vmlinux(), '--format', 'json']);
        expect(r.code).toBe(0);
        const ours = new Map<number, string>();
        for (const line of r.stdout.trim().split('\n')) {
          const row = JSON.parse(line) as { PID: number; COMM: string };
          ours.set(row.PID, row.COMM);
        }
        const live = liveTasks(set);
        expect(live.size).toBeGreaterThan(10);
        // A workqueue worker's name ends with the description of the last work it ran
        // ("kworker/0:1-events"), which changes between capture and dump: compare the worker part.
        const stable = (name: string | undefined) => (name?.startsWith('kworker/') ? /^kworker\/(?:R-)?[^+-]*/.exec(name)![0] : name);
        const missing = [...live.entries()].filter(([pid, comm]) => stable(ours.get(pid)) !== stable(comm));
        expect(missing).toEqual([]);
      });
    }

    it('without any vmcoreinfo in memory, the image variables next to the banner still give KASLR', () => {
      const raw = rawDump(set);
      const copy = join(tempDir(), 'dump.bin');
      copyFileSync(raw.path, copy);
      // Spoil every copy of the vmcoreinfo text (vmcoreinfo_data and the ELF note buffer).
      const bytes = readFileSync(copy);
      let spoiled = 0;
      for (let i = bytes.indexOf('OSRELEASE='); i >= 0; i = bytes.indexOf('OSRELEASE=', i + 1)) {
        bytes.write('X', i, 'latin1');
        spoiled++;
      }
      expect(spoiled).toBeGreaterThan(0);
      writeFileSync(copy, bytes);
      for (const args of [[`${copy}@0x${raw.base.toString(16)}`], [copy]]) {
        const r = ramparse(['--info', ...args, '--vmlinux', vmlinux(), '--format', 'json']);
        expect(r.stderr).toBe('');
        const info = JSON.parse(r.stdout) as { kaslrOffset: string; release: string; detectedBy: Record<string, string> };
        expect(info.kaslrOffset).toBe(m.kaslrOffset);
        expect(info.release).toBe(m.kernelRelease);
        expect(info.detectedBy.kaslrOffset).toBe('search');
      }
    });

    it('--info text output names how each value was found', () => {
      const r = ramparse(['--info', fixtureFile(set, 'vmcore.elf'), '--vmlinux', vmlinux()]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^KASLR offset:\\s+${m.kaslrOffset}\\s+\\(note\\)$`, 'm'));
      expect(r.stdout).toMatch(/^release:\s+\S+$/m);
    });
  });
}

describe('bad input', () => {
  const set = SETS[0]!;
  const other = SETS.find((s) => s !== set && manifest(s).arch === manifest(set).arch) ?? SETS[1];

  it('a wrong vmlinux (another fixture\'s) is one clear line', () => {
    if (!other) throw new Error('needs two fixture sets');
    const r = ramparse(['--info', fixtureFile(set, 'vmcore.elf'), '--vmlinux', fixtureFile(other, 'vmlinux')]);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/vmlinux does not match dump: dump has 'Linux version .+', vmlinux has 'Linux version .+'/);
    expect(r.stdout).toBe('');
  });

  it('a truncated ELF dump is one clear line naming the file', () => {
    const dir = tempDir();
    const cut = join(dir, 'truncated.elf');
    const src = readFileSync(fixtureFile(set, 'vmcore.elf'));
    const fd = openSync(cut, 'w');
    writeSync(fd, src, 0, Math.floor(src.length / 3));
    closeSync(fd);
    const r = ramparse(['--info', cut, '--vmlinux', fixtureFile(set, 'vmlinux')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(cut);
    expect(r.stderr).toMatch(/truncated/);
  });

  it('a dump whose kernel page tables are zeroed is one clear line', () => {
    const m = manifest(set);
    const dir = tempDir();
    const raw = rawDump(set);
    const copy = join(dir, 'dump.bin');
    copyFileSync(raw.path, copy);
    // Zero the top-level kernel page table (swapper_pg_dir / init_top_pgt), found at its physical
    // address: link address + KASLR − image virtual base + image physical base, per the manifest.
    const info = JSON.parse(ramparse(['--info', `${raw.path}@0x${raw.base.toString(16)}`, '--vmlinux', fixtureFile(set, 'vmlinux'), '--format', 'json']).stdout) as { physBase: string };
    const sysmap = fixtureText(set, 'System.map');
    const sym = m.arch === 'arm64' ? 'swapper_pg_dir' : 'init_top_pgt';
    const pgd = BigInt('0x' + new RegExp(`^([0-9a-f]+) \\S ${sym}$`, 'm').exec(sysmap)![1]);
    const text = BigInt('0x' + /^([0-9a-f]+) \S _text$/m.exec(sysmap)![1]);
    const pa = BigInt(info.physBase) + (pgd - text);
    const fd = openSync(copy, 'r+');
    writeSync(fd, Buffer.alloc(4096), 0, 4096, Number(pa - raw.base));
    closeSync(fd);
    const r = ramparse(['--info', `${copy}@0x${raw.base.toString(16)}`, '--vmlinux', fixtureFile(set, 'vmlinux')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/page tables/);
  });

  it('--kaslr-offset overrides: the true value works, a wrong one is one clear line', () => {
    const m = manifest(set);
    const ok = ramparse(['--info', fixtureFile(set, 'vmcore.elf'), '--vmlinux', fixtureFile(set, 'vmlinux'), '--kaslr-offset', m.kaslrOffset, '--format', 'json']);
    expect(ok.code).toBe(0);
    const info = JSON.parse(ok.stdout) as { kaslrOffset: string; detectedBy: Record<string, string> };
    expect(info.kaslrOffset).toBe(m.kaslrOffset);
    expect(info.detectedBy.kaslrOffset).toBe('override');
    const wrong = (BigInt(m.kaslrOffset) + 0x200000n).toString(16);
    const bad = ramparse(['--info', fixtureFile(set, 'vmcore.elf'), '--vmlinux', fixtureFile(set, 'vmlinux'), '--kaslr-offset', `0x${wrong}`]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(`--kaslr-offset 0x${wrong}`);
  });

  it('a missing dump file is one clear line', () => {
    const r = ramparse(['--info', '/nonexistent/dump.bin', '--vmlinux', fixtureFile(set, 'vmlinux')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('ramparse: /nonexistent/dump.bin: no such file');
  });

  it('a dump given as the vmlinux is refused clearly', () => {
    const r = ramparse(['--info', fixtureFile(set, 'vmcore.elf'), '--vmlinux', fixtureFile(set, 'vmcore.elf')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not a vmlinux|core dump/);
  });
});
