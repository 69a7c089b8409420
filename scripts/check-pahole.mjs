#!/usr/bin/env node
// Lab-side check (not run in CI: needs pahole from the dwarves package): for 30+ kernel structs, the
// member offsets ramparse reads from type info agree with what pahole prints for the same vmlinux.
//
//   node scripts/check-pahole.mjs VMLINUX [--types btf|dwarf] [--pahole-format btf|dwarf]
//
// pahole prints each member with "/* offset size */" (or "/* offset: bit size */" for bitfields);
// members of anonymous structs/unions appear inline with offsets from the outer struct, which is
// exactly what ramparse's flattened member lookup returns.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './lib/fixtures.mjs';

const STRUCTS = [
  'page', 'page_ext', 'page_ext_operations', 'page_owner', 'stack_record', 'mem_section', 'mem_section_usage',
  'pglist_data', 'zone', 'free_area', 'list_head', 'kmem_cache', 'kmem_cache_node', 'kmem_cache_cpu',
  'kmem_cache_order_objects', 'slab', 'track', 'task_struct', 'signal_struct', 'mm_struct', 'pid', 'module',
  'mod_kallsyms', 'module_memory', 'module_layout', 'new_utsname', 'uts_namespace', 'cgroup',
  'cgroup_subsys_state', 'mem_cgroup', 'obj_cgroup', 'kernfs_node', 'trace_print_flags', 'page_flags_fields',
  'printf_spec', 'static_key', 'kthread', 'worker', 'worker_pool', 'folio', 'vm_area_struct', 'file',
];

const args = process.argv.slice(2);
const vmlinux = args.find((a) => !a.startsWith('--'));
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
if (!vmlinux) {
  console.error('usage: node scripts/check-pahole.mjs VMLINUX [--types btf|dwarf] [--pahole-format btf|dwarf]');
  process.exit(2);
}
const ver = spawnSync('pahole', ['--version'], { encoding: 'utf8' });
if (ver.status !== 0) {
  console.error('pahole not found: apt-get install dwarves');
  process.exit(2);
}
const dist = join(REPO, 'dist');
if (!existsSync(join(dist, 'core/types/open.js'))) spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
const { Vmlinux } = await import(join(dist, 'core/symbols/vmlinux.js'));
const { openTypeRegistry } = await import(join(dist, 'core/types/open.js'));
const { TypeLayout } = await import(join(dist, 'core/types/layout.js'));

const v = new Vmlinux(vmlinux);
const layout = new TypeLayout(await openTypeRegistry(v.elf, opt('--types', 'btf')));
const paholeFormat = opt('--pahole-format', 'btf');

/** name → { byte, bit? } for every member line of `pahole -C struct`, nested anonymous members included. */
function paholeMembers(struct) {
  const r = spawnSync('pahole', ['-F', paholeFormat, '-C', struct, vmlinux], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0 || !r.stdout.trim()) return undefined;
  const out = new Map();
  const dup = new Set();
  // Members of a named nested struct/union ("struct { … } shared;") are reached as "shared.rb":
  // collect each nesting level's members and prefix them when the level closes with a name.
  const levels = [[]];
  for (const line of r.stdout.split('\n').slice(1)) {
    if (/^\s*(struct|union)\s*\{\s*$/.test(line)) {
      levels.push([]);
      continue;
    }
    const close = /^\s*\}\s*([A-Za-z_][A-Za-z0-9_]*)?(?:\[[^\]]*\])*;/.exec(line);
    if (close && levels.length > 1) {
      const inner = levels.pop();
      const outer = levels[levels.length - 1];
      for (const e of inner) outer.push(close[1] ? { ...e, name: `${close[1]}.${e.name}` } : e);
      continue;
    }
    const m = /([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])*(?::\d+)?;\s*\/\*\s*(\d+)(?::\s*(\d+))?\s+\d+\s*\*\//.exec(line);
    if (m) levels[levels.length - 1].push({ name: m[1], byte: Number(m[2]), bit: m[3] === undefined ? undefined : Number(m[3]) });
  }
  for (const e of levels[0]) {
    // a member name that appears twice (e.g. in two union arms) is ambiguous: skip it
    if (out.has(e.name)) dup.add(e.name);
    out.set(e.name, { byte: e.byte, bit: e.bit });
  }
  for (const d of dup) out.delete(d);
  return out;
}

let checked = 0;
let members = 0;
const problems = [];
for (const s of STRUCTS) {
  const name = `struct ${s}`;
  if (!layout.find(name)) continue;
  const ph = paholeMembers(s);
  if (!ph) continue;
  checked++;
  for (const [member, where] of ph) {
    const ours = layout.findMember(name, member);
    if (!ours) {
      problems.push(`${name}.${member}: pahole has it at ${where.byte}, ramparse does not find it`);
      continue;
    }
    members++;
    if (where.bit === undefined) {
      if (ours.bitOffset !== where.byte * 8) problems.push(`${name}.${member}: pahole ${where.byte}, ramparse ${ours.bitOffset / 8}`);
    } else {
      // pahole prints a bitfield as "byte:bit" where bit counts from the top of the storage unit on
      // little-endian — compare the storage byte only, bit layout is covered by the DWARF/BTF tests.
      if (Math.floor(ours.bitOffset / 8) < where.byte - 8 || Math.floor(ours.bitOffset / 8) > where.byte + 8) {
        problems.push(`${name}.${member}: bitfield pahole byte ${where.byte}, ramparse bit ${ours.bitOffset}`);
      }
    }
  }
}
console.log(`pahole ${ver.stdout.trim()} (-F ${paholeFormat}) vs ramparse ${layout.registry.source}: ${checked} structs, ${members} members compared`);
if (problems.length) {
  console.log(problems.join('\n'));
  process.exit(1);
}
if (checked < 30) {
  console.log(`only ${checked} structs found (want ≥ 30)`);
  process.exit(1);
}
console.log('all offsets agree');
