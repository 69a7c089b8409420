#!/usr/bin/env node
// npm run bench: performance of the main job, measured (never asserted by tests).
//
//   npm run bench                          every committed fixture set (the biggest is the reference)
//   npm run bench -- DUMP VMLINUX          also a dump of your own (e.g. the lab's 4 GiB dump)
//   RAMPARSE_BENCH_BIG=DUMP:VMLINUX        same, from the environment
//
// For each dump: the page_owner walk alone (pfn/s, records/s), then `ramparse --print-pagetracking`
// end to end in a fresh process (wall time, peak RSS).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureFile, fixtureSets, manifest, REPO } from './lib/fixtures.mjs';

const dist = join(REPO, 'dist');
if (!existsSync(join(dist, 'core/cli/bin.js'))) spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });

const targets = [];
for (const set of fixtureSets()) targets.push({ name: set, dump: fixtureFile(set, 'vmcore.elf'), vmlinux: fixtureFile(set, 'vmlinux') });
const extra = process.argv.slice(2);
if (extra.length === 2) targets.push({ name: 'user dump', dump: extra[0], vmlinux: extra[1] });
if (process.env.RAMPARSE_BENCH_BIG) {
  const [dump, vmlinux] = process.env.RAMPARSE_BENCH_BIG.split(':');
  targets.push({ name: 'big dump', dump, vmlinux });
}

/** The walk alone, in a child process so each target starts cold. */
const WALK = `
const { openKernel, closeKernel } = await import(${JSON.stringify(join(dist, 'core/kernel/open.js'))});
const { PageOwnerWalker } = await import(${JSON.stringify(join(dist, 'core/mm/page-owner.js'))});
const [dump, vmlinux] = process.argv.slice(1);
const t0 = performance.now();
const k = await openKernel({ paths: [dump], ramFiles: [], vmlinux });
const t1 = performance.now();
const w = new PageOwnerWalker(k);
const stats = { pfnsVisited: 0, records: 0, skippedRanges: [] };
for (const _ of w.walk('allocated', stats)) {}
const t2 = performance.now();
const range = w.range.end - w.range.start;
console.log(JSON.stringify({ openMs: t1 - t0, walkMs: t2 - t1, pfnRange: range, visited: stats.pfnsVisited, records: stats.records, rssMiB: process.resourceUsage().maxRSS / 1024 }));
closeKernel(k);
`;

/** End to end, with peak RSS reported by the child itself. */
const E2E = `
const { cli } = await import(${JSON.stringify(join(dist, 'core/cli/main.js'))});
const t0 = performance.now();
await cli(process.argv.slice(1));
process.stderr.write('BENCH ' + JSON.stringify({ ms: performance.now() - t0, rssMiB: process.resourceUsage().maxRSS / 1024 }) + '\\n');
`;

const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n)));
console.log(`ramparse benchmark — node ${process.version}, ${new Date().toISOString()}`);
for (const t of targets) {
  const size = statSync(t.dump).size;
  const walk = spawnSync(process.execPath, ['--input-type=module', '-e', WALK, '--', t.dump, t.vmlinux], { encoding: 'utf8' });
  if (walk.status !== 0) {
    console.log(`${t.name}: walk failed: ${walk.stderr.trim().split('\n').pop()}`);
    continue;
  }
  const w = JSON.parse(walk.stdout.trim().split('\n').pop());
  const out = mkdtempSync(join(tmpdir(), 'ramparse-bench-'));
  const e2e = spawnSync(process.execPath, ['--input-type=module', '-e', E2E, '--', '--print-pagetracking', t.dump, '--vmlinux', t.vmlinux, '-o', out, '-q'], { encoding: 'utf8' });
  const line = (e2e.stderr.match(/^BENCH (.*)$/m) ?? [])[1];
  const e = line ? JSON.parse(line) : undefined;
  rmSync(out, { recursive: true, force: true });
  console.log(`\n${t.name}  (${(size / 2 ** 20).toFixed(0)} MiB dump, ${t.dump})`);
  console.log(`  open + locate kernel     ${w.openMs.toFixed(0)} ms`);
  console.log(`  page_owner walk          ${w.walkMs.toFixed(0)} ms: ${fmt(w.pfnRange)} pfns in range, ${fmt((w.pfnRange * 1000) / w.walkMs)} pfn/s, ${fmt(w.records)} records (${fmt((w.records * 1000) / w.walkMs)}/s), RSS ${w.rssMiB.toFixed(0)} MiB`);
  if (e) console.log(`  --print-pagetracking     ${(e.ms / 1000).toFixed(2)} s end to end (all six files), peak RSS ${e.rssMiB.toFixed(0)} MiB`);
  else console.log(`  --print-pagetracking     failed: ${e2e.stderr.trim().split('\n').pop()}`);
}

// DWARF type index: the fixture vmlinux files that keep DWARF, and a distribution vmlinux with full
// DWARF when one is available (RAMPARSE_BENCH_DWARF, or $RAMPARSE_LAB_WORK/dbg/vmlinux-* as fetched by
// fixtures/lab/fetch-dbg-vmlinux.sh).
const dwarfBench = join(REPO, 'scripts/bench-dwarf.mjs');
const labWork = process.env.RAMPARSE_LAB_WORK ?? '/work/lab-work';
const dwarfTargets = fixtureSets()
  .filter((s) => manifest(s).dwarf?.committed)
  .map((s) => fixtureFile(s, 'vmlinux'));
const distro = process.env.RAMPARSE_BENCH_DWARF ?? (existsSync(join(labWork, 'dbg')) ? readdirSync(join(labWork, 'dbg')).filter((f) => f.startsWith('vmlinux-')).map((f) => join(labWork, 'dbg', f))[0] : undefined);
if (distro) dwarfTargets.push(distro);
for (const v of dwarfTargets) {
  console.log(`\nDWARF type index of ${v}:`);
  spawnSync(process.execPath, [dwarfBench, v], { stdio: 'inherit' });
}
