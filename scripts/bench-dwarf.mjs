#!/usr/bin/env node
/**
 * Benchmark the DWARF type source on one vmlinux:
 *
 *   npx tsc -p tsconfig.build.json && node scripts/bench-dwarf.mjs /path/to/vmlinux [--compare-btf]
 *
 * Prints the time to read the sections and index them, the time to the first `struct page`
 * layout, what was indexed, and the peak RSS. With --compare-btf (and a .BTF section) it also times
 * the BTF source on the same file for reference.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;
if (!existsSync(join(root, 'dist/core/types/dwarf/index.js'))) {
  console.error('dist/ is missing or stale: run `npx tsc -p tsconfig.build.json` first');
  process.exit(2);
}
const args = process.argv.slice(2);
const path = args.find((a) => !a.startsWith('--'));
if (!path) {
  console.error('usage: node scripts/bench-dwarf.mjs VMLINUX [--compare-btf]');
  process.exit(2);
}

const { ElfFile } = await import(dist('core/elf/elf-file.js'));
const { FileReader } = await import(dist('core/util/file-reader.js'));
const { DwarfSections } = await import(dist('core/types/dwarf/sections.js'));
const { DwarfRegistry } = await import(dist('core/types/dwarf/registry.js'));
const { TypeLayout } = await import(dist('core/types/layout.js'));

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const mib = (bytes) => (bytes / 1048576).toFixed(0);

const t0 = process.hrtime.bigint();
const elf = new ElfFile(new FileReader(path));
const sections = new DwarfSections(elf);
const tRead = ms(t0);
const t1 = process.hrtime.bigint();
const cpu1 = process.cpuUsage();
const reg = new DwarfRegistry(sections);
const tIndex = ms(t1);
const cpuIndex = process.cpuUsage(cpu1);

const t2 = process.hrtime.bigint();
const layout = new TypeLayout(reg);
const pageSize = layout.sizeof('struct page');
const flags = layout.offsetof('struct page', 'flags');
const lru = layout.findMember('struct page', 'lru');
const tFirst = ms(t2);

const t3 = process.hrtime.bigint();
const ext = reg.enumerator('PAGE_EXT_OWNER') ?? reg.enumerator('NR_FREE_PAGES');
const tEnum = ms(t3);

const s = reg.stats;
console.log(`file                 ${path}`);
console.log(`.debug_info          ${mib(sections.info.length)} MiB (${sections.littleEndian ? 'LE' : 'BE'})`);
console.log(`read sections        ${tRead.toFixed(0)} ms`);
console.log(`index                ${tIndex.toFixed(0)} ms  (CPU ${((cpuIndex.user + cpuIndex.system) / 1000).toFixed(0)} ms; ${s.units} units, ${s.diesVisited} DIEs visited)`);
console.log(`total to registry    ${(tRead + tIndex).toFixed(0)} ms`);
console.log(`indexed              ${s.structs} structs, ${s.unions} unions, ${s.enums} enums (+${s.anonymousEnums} anonymous), ${s.typedefs} typedefs, ${s.baseTypes} base types, ${s.variables} variables, ${s.typeUnits} type units`);
console.log(`first struct page    ${tFirst.toFixed(2)} ms  (sizeof ${pageSize}, flags @${flags}, lru @${lru ? lru.bitOffset / 8 : '-'})`);
console.log(`enumerator index     ${tEnum.toFixed(0)} ms  (first enumerator lookup builds it; value ${ext})`);

if (args.includes('--compare-btf') && elf.section('.BTF')) {
  const { BtfRegistry } = await import(dist('core/types/btf.js'));
  const t4 = process.hrtime.bigint();
  const btf = new BtfRegistry(elf.sectionData('.BTF'), elf.is64 ? 8 : 4);
  const btfLayout = new TypeLayout(btf);
  const btfPage = btfLayout.sizeof('struct page');
  console.log(`BTF for reference    ${ms(t4).toFixed(0)} ms  (sizeof struct page ${btfPage})`);
}
console.log(`peak RSS             ${mib(process.resourceUsage().maxRSS * 1024)} MiB`);
