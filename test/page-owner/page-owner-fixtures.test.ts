/**
 * Issue 4 acceptance: offline page_owner.txt against what the live kernel printed into
 * /sys/kernel/debug/page_owner right before the dump, record by record (keyed by PFN).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureFile, fixtureSets, fixtureText, manifest, rawDump } from '../helpers/fixtures.js';
import { ramparse, readOut, tempDir, type RunResult } from '../helpers/run.js';

const SETS = fixtureSets();

/** Split page_owner text into records keyed by pfn (decimal or 0x form, whichever the kernel printed). */
export function recordsByPfn(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const block of text.split(/\n\n/)) {
    if (!block.startsWith('Page allocated via order')) continue;
    const m = /\nPFN (0x[0-9a-f]+|\d+) /.exec(block);
    if (!m) continue;
    out.set(Number(m[1]), block + '\n\n');
  }
  return out;
}

interface Breakdown {
  live: number;
  identical: number;
  differing: number;
  liveOnly: number;
  offlineOnly: number;
}

function compare(live: Map<number, string>, ours: Map<number, string>): Breakdown & { examples: string[] } {
  const b = { live: live.size, identical: 0, differing: 0, liveOnly: 0, offlineOnly: 0, examples: [] as string[] };
  for (const [pfn, text] of live) {
    const o = ours.get(pfn);
    if (o === undefined) b.liveOnly++;
    else if (o === text) b.identical++;
    else {
      b.differing++;
      if (b.examples.length < 3) b.examples.push(`--- live\n${text}+++ ours\n${o}`);
    }
  }
  for (const pfn of ours.keys()) if (!live.has(pfn)) b.offlineOnly++;
  return b;
}

for (const set of SETS) {
  describe(`${set}: --print-pagetracking`, () => {
    let vmlinux: string;
    let elf: string;
    let outdir: string;
    let run: RunResult;
    let live: Map<number, string>;
    let ours: Map<number, string>;
    beforeAll(() => {
      vmlinux = fixtureFile(set, 'vmlinux');
      elf = fixtureFile(set, 'vmcore.elf');
      outdir = tempDir();
      run = ramparse(['--print-pagetracking', elf, '--vmlinux', vmlinux, '-o', outdir, '-q']);
      live = recordsByPfn(fixtureText(set, 'live/page_owner.txt'));
      ours = run.code === 0 ? recordsByPfn(readOut(outdir, 'page_owner.txt')) : new Map<number, string>();
    });

    it('runs cleanly', () => {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    });

    it('≥ 99% of the live records are byte-identical (breakdown reported)', () => {
      const b = compare(live, ours);
      console.log(`${set} page_owner: live ${b.live}, identical ${b.identical}, differing ${b.differing}, live-only ${b.liveOnly}, offline-only ${b.offlineOnly}`);
      if (b.examples.length) console.log(b.examples.join('\n'));
      expect(b.live).toBeGreaterThan(2000);
      expect(b.identical / b.live).toBeGreaterThanOrEqual(0.99);
    });

    it('[pgdemo] module frames are identical', () => {
      const mod = [...live.entries()].filter(([, t]) => t.includes(' [pgdemo]\n'));
      expect(mod.length).toBeGreaterThan(0);
      for (const [pfn, text] of mod) expect(ours.get(pfn), `pfn ${pfn}`).toBe(text);
    });

    it('composite gfp names are identical', () => {
      const composite = [...live.entries()].filter(([, t]) => /mask 0x[0-9a-f]+\(GFP_[A-Z_]+\|/.test(t));
      expect(composite.length).toBeGreaterThan(10);
      const same = composite.filter(([pfn, t]) => ours.get(pfn)?.split('\n')[0] === t.split('\n')[0]).length;
      expect(same / composite.length).toBeGreaterThanOrEqual(0.99);
    });

    it('writes the sorted, summary and ramparser-compatible files', () => {
      const sorted = readOut(outdir, 'page_owner_sorted.txt');
      expect(sorted).toMatch(/^\d+ times, \d+ pages/m);
      const summary = readOut(outdir, 'page_owner_summary.txt');
      expect(summary).toMatch(/^By process group/m);
      expect(summary).toContain('pgdemo');
      expect(readOut(outdir, 'page_tracking.txt')).toMatch(/^PFN : 0x[0-9a-f]+-0x[0-9a-f]+ Page : 0x[0-9a-f]+ Order : \d+ PID : \d+ ts_nsec \d+ gfp 0x[0-9a-f]+$/m);
      expect(readOut(outdir, 'page_frequency.txt')).toMatch(/^Allocated \d+ times, total memory: \d+ KB$/m);
    });

    it('the sorted file accounts for every record and page', () => {
      const sorted = readOut(outdir, 'page_owner_sorted.txt');
      let times = 0;
      let pages = 0;
      for (const m of sorted.matchAll(/^(\d+) times, (\d+) pages/gm)) {
        times += Number(m[1]);
        pages += Number(m[2]);
      }
      expect(times).toBe(ours.size);
      const expectedPages = [...ours.values()].reduce((n, t) => n + 2 ** Number(/order (\d+),/.exec(t)![1]), 0);
      expect(pages).toBe(expectedPages);
    });

    it('kdump-compressed, raw dump.bin (no base), --ram-file and a split Qualcomm dir give byte-identical output', () => {
      const raw = rawDump(set);
      const a = tempDir();
      const b = tempDir();
      const r1 = ramparse(['--print-pagetracking', raw.path, '--vmlinux', vmlinux, '-o', a, '-q']);
      const end = raw.base + BigInt(statSync(raw.path).size) - 1n;
      const r2 = ramparse(['--print-pagetracking', '--ram-file', raw.path, `0x${raw.base.toString(16)}`, `0x${end.toString(16)}`, '--vmlinux', vmlinux, '-o', b, '-q']);
      const c = tempDir();
      const r3 = ramparse(['--print-pagetracking', fixtureFile(set, 'vmcore.kdump'), '--vmlinux', vmlinux, '-o', c, '-q']);
      // A Qualcomm-style split dump: two DDRCS files and a load.cmm describing them.
      const qdir = tempDir();
      const bytes = readFileSync(raw.path);
      const half = Math.floor(bytes.length / 2 / 4096) * 4096;
      writeFileSync(join(qdir, 'DDRCS0_0.BIN'), bytes.subarray(0, half));
      writeFileSync(join(qdir, 'DDRCS1_0.BIN'), bytes.subarray(half));
      writeFileSync(join(qdir, 'load.cmm'), `d.load.binary DDRCS0_0.BIN 0x${raw.base.toString(16)} /noclear\nd.load.binary DDRCS1_0.BIN 0x${(raw.base + BigInt(half)).toString(16)} /noclear\n`);
      const q = tempDir();
      const r4 = ramparse(['--print-pagetracking', '--auto-dump', qdir, '--vmlinux', vmlinux, '-o', q, '-q']);
      expect(r4.code).toBe(0);
      expect(readOut(q, 'page_owner.txt') === readOut(outdir, 'page_owner.txt')).toBe(true);
      expect(r1.code).toBe(0);
      expect(r2.code).toBe(0);
      expect(r3.code).toBe(0);
      const ref = readOut(outdir, 'page_owner.txt');
      expect(readOut(c, 'page_owner.txt') === ref).toBe(true);
      expect(readOut(a, 'page_owner.txt') === ref).toBe(true);
      expect(readOut(b, 'page_owner.txt') === ref).toBe(true);
    });

    // Only sets whose committed vmlinux keeps DWARF can be read both ways.
    if (manifest(set).dwarf.committed) it('--types dwarf and --types btf give byte-identical page_owner and slabinfo output', () => {
      const btf = tempDir();
      const dwarf = tempDir();
      const args = ['--print-pagetracking', '--slabinfo', elf, '--vmlinux', vmlinux, '-q'];
      const a = ramparse([...args, '-o', btf, '--types', 'btf']);
      const b = ramparse([...args, '-o', dwarf, '--types', 'dwarf']);
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      for (const f of ['page_owner.txt', 'page_owner_sorted.txt', 'page_owner_summary.txt', 'slabinfo.txt']) {
        expect(readOut(dwarf, f) === readOut(btf, f), f).toBe(true);
      }
    });

    // show_stacks exists from 6.9 on: only those sets captured it.
    if (Object.values(manifest(set).files).some((f) => f.content === 'live/page_owner_stacks.txt'))
      it('page_owner_stacks.txt matches the live show_stacks (≥ 95% of stacks identical, breakdown reported)', () => {
        const blocks = (t: string) => new Set(t.split('\n\n').filter((b) => b.includes('nr_base_pages:')));
        const live = blocks(fixtureText(set, 'live/page_owner_stacks.txt'));
        const mine = blocks(readOut(outdir, 'page_owner_stacks.txt'));
        const same = [...live].filter((b) => mine.has(b)).length;
        console.log(`${set} page_owner_stacks: live ${live.size}, ours ${mine.size}, identical ${same}`);
        expect(live.size).toBeGreaterThan(50);
        expect(same / live.size).toBeGreaterThanOrEqual(0.95);
      });

    it('--format json emits one record per allocation', () => {
      const dir = tempDir();
      const r = ramparse(['--print-pagetracking', elf, '--vmlinux', vmlinux, '-o', dir, '--format', 'json', '-q']);
      expect(r.code).toBe(0);
      const lines = readOut(dir, 'page_owner.jsonl').trim().split('\n');
      expect(lines.length).toBe(ours.size);
      const first = JSON.parse(lines[0]!) as { pfn: number; stack: string[] };
      expect(ours.has(first.pfn)).toBe(true);
      expect(first.stack.length).toBeGreaterThan(0);
    });
  });
}

describe('--stdout', () => {
  it('prints page_owner.txt, and only that, to stdout', () => {
    const set = SETS[0]!;
    const dir = tempDir();
    const files = ramparse(['--print-pagetracking', fixtureFile(set, 'vmcore.elf'), '--vmlinux', fixtureFile(set, 'vmlinux'), '-o', dir, '-q']);
    const out = ramparse(['--print-pagetracking', fixtureFile(set, 'vmcore.elf'), '--vmlinux', fixtureFile(set, 'vmlinux'), '--stdout', '-q']);
    expect(files.code).toBe(0);
    expect(out.code).toBe(0);
    expect(out.stdout === readOut(dir, 'page_owner.txt')).toBe(true);
  });
});

describe('a dump cut short', () => {
  it('still completes; stderr and the summary say what was skipped', () => {
    // x86_64 maps the kernel with page tables inside the image, so cutting the top of RAM keeps the
    // kernel readable (on arm64 the kernel page tables themselves sit at the top: that is a fatal cut).
    const set = SETS.find((s) => s.startsWith('x86_64'))!;
    const raw = rawDump(set);
    const cut = join(tempDir(), 'cut.bin');
    const bytes = readFileSync(raw.path);
    // Keep the kernel image (low in RAM on both arches) but lose the top of RAM, where memblock put
    // the memory-model tables.
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.94)));
    const out = tempDir();
    const r = ramparse(['--print-pagetracking', `${cut}@0x${raw.base.toString(16)}`, '--vmlinux', fixtureFile(set, 'vmlinux'), '-o', out, '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^ramparse: warning: .*is not in the dump.*skipped$/m);
    expect(readOut(out, 'page_owner_summary.txt')).toMatch(/^Partial results - skipped or damaged in this dump:\n {2}.*not in the dump/m);
  });
});
