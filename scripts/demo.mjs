#!/usr/bin/env node
// npm run demo: run ramparse's main job on a bundled real fixture (a kernel dumped in QEMU with
// page_owner=on) and show how its offline output compares with what the live kernel printed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureFile, fixtureSets, fixtureText, manifest, REPO } from './lib/fixtures.mjs';

const sets = fixtureSets();
if (sets.length === 0) {
  console.error('demo: no fixture sets under fixtures/ (regenerate with npm run lab -- arm64 6.12)');
  process.exit(1);
}
const set = process.argv[2] ?? (sets.includes('arm64-6.12') ? 'arm64-6.12' : sets[0]);
const m = manifest(set);
const bin = join(REPO, 'dist/core/cli/bin.js');
if (!existsSync(bin)) spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });

console.log(`== fixture ${set}: ${m.linuxBanner.slice(0, 100)}…`);
console.log(`   (decompressing the dump and vmlinux into ${process.env.XDG_CACHE_HOME ?? '~/.cache'}/ramparse-fixtures on first use)`);
const dump = fixtureFile(set, 'vmcore.elf');
const vmlinux = fixtureFile(set, 'vmlinux');
const outdir = join(REPO, 'ramparse-out', 'demo');

const run = (args) => {
  const cmd = ['ramparse', ...args.map((a) => (a.startsWith('/') ? a.replace(REPO + '/', '') : a))].join(' ');
  console.log(`\n$ ${cmd}`);
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run(['--info', dump, '--vmlinux', vmlinux]);
run(['--print-pagetracking', '--slabinfo', '--slabsummary', dump, '--vmlinux', vmlinux, '-o', outdir]);

const recs = (t) => {
  const out = new Map();
  for (const b of t.split(/\n\n/)) {
    const x = /\nPFN (0x[0-9a-f]+|\d+) /.exec(b);
    if (b.startsWith('Page allocated') && x) out.set(Number(x[1]), b);
  }
  return out;
};
const ours = readFileSync(join(outdir, 'page_owner.txt'), 'latin1');
const live = recs(fixtureText(set, 'live/page_owner.txt'));
const mine = recs(ours);
let same = 0;
for (const [pfn, t] of live) if (mine.get(pfn) === t) same++;
console.log(`\n== first record of ${join('ramparse-out/demo', 'page_owner.txt')}:\n`);
console.log(ours.split('\n\n')[0]);
const module = [...mine.values()].find((t) => t.includes('[pgdemo]'));
if (module) console.log(`\n== a record with a module frame:\n\n${module}`);
const churn = same < live.size ? '; the rest changed between the live read and the dump (allocation churn)' : '';
console.log(`\n== against the live kernel's own /sys/kernel/debug/page_owner: ${same} of ${live.size} records byte-identical (${((100 * same) / live.size).toFixed(2)}%)${churn}.`);
const summary = readFileSync(join(outdir, 'page_owner_summary.txt'), 'latin1').split('\n');
console.log(`\n== ${join('ramparse-out/demo', 'page_owner_summary.txt')} (head):\n`);
console.log(summary.slice(0, 16).join('\n'));
console.log(`\nAll reports: ${outdir}`);
