/**
 * --info: what ramparse found out about the dump: arch, release, page geometry, KASLR, where the
 * image sits physically, the physical memory ranges, how each was learned, and the number of tasks.
 */
import type { Plugin } from '../../core/plugin/api.js';
import { forEachTaskAddress } from '../../core/kernel/tasks.js';
import { hex } from '../../core/util/hex.js';

export const infoPlugin: Plugin = {
  apiVersion: 1,
  name: 'info',
  flag: 'info',
  description: 'arch, release, page size, VA bits, KASLR offset, physical layout, tasks',
  stdoutByDefault: true,
  help: `SYNOPSIS
  ramparse --info DUMP --vmlinux VMLINUX [--format json]

Prints what ramparse detected and how ("note" = VMCOREINFO note, "scan" = vmcoreinfo
found in memory, "search" = derived from the image's own variables, "override" =
given on the command line).

EXAMPLE (the x86_64-6.1 fixture)
  $ ramparse --info vmcore.elf --vmlinux vmlinux --format json
  {"arch":"x86_64","release":"6.1.176-ramparse-lab","banner":"Linux version 6.1.176-ramparse-lab …",
   "pageSize":4096,"vaBits":47,"pageOffset":"0xffff93eb00000000","kaslrOffset":"0x6c00000",
   "physBase":"0x5600000","physOffset":"0x0","memoryRanges":[{"start":"0x0","end":"0x8000000"},
   {"start":"0xfffc0000","end":"0x100000000"}],"dumpFormat":"elf","typeSource":"btf",
   "detectedBy":{"kaslrOffset":"note","physBase":"note","memoryRanges":"note","pageSize":"note"},"tasks":40}`,
  run(ctx) {
    const k = ctx.kernel;
    let tasks = 0;
    for (const _ of forEachTaskAddress(k)) tasks++;
    const p = k.arch.params;
    const info = {
      arch: k.arch.name,
      release: k.release,
      banner: k.located.banner.replace(/\n$/, ''),
      pageSize: k.pageSize,
      vaBits: k.arch.vaBits,
      pageOffset: hex(p.pageOffset),
      kaslrOffset: hex(p.kaslrOffset),
      physBase: hex(p.imagePhys),
      physOffset: hex(p.physOffset),
      memoryRanges: k.memory.ranges.map((r) => ({ start: hex(r.start), end: hex(r.end) })),
      dumpFormat: k.dump.format,
      typeSource: k.types.registry.source,
      detectedBy: k.located.detectedBy,
      tasks,
    };
    const sink = ctx.out.file(ctx.format === 'json' ? 'info.json' : 'info.txt', true);
    if (ctx.format === 'json') {
      sink.line(JSON.stringify(info));
    } else {
      const by = info.detectedBy;
      sink.line(`arch:          ${info.arch}`);
      sink.line(`release:       ${info.release}`);
      sink.line(`banner:        ${info.banner}`);
      sink.line(`page size:     ${info.pageSize}${by.pageSize ? `  (${by.pageSize})` : ''}`);
      sink.line(`VA bits:       ${info.vaBits}`);
      sink.line(`PAGE_OFFSET:   ${info.pageOffset}`);
      sink.line(`KASLR offset:  ${info.kaslrOffset}  (${by.kaslrOffset})`);
      sink.line(`image phys:    ${info.physBase}  (${by.physBase})`);
      if (k.arch.name === 'arm64') sink.line(`PHYS_OFFSET:   ${info.physOffset}`);
      sink.line(`memory:        ${info.memoryRanges.map((r) => `${r.start}-${r.end}`).join(', ')}  (${by.memoryRanges})`);
      sink.line(`dump format:   ${info.dumpFormat}`);
      sink.line(`types:         ${info.typeSource}`);
      sink.line(`tasks:         ${info.tasks}`);
    }
  },
};

export default infoPlugin;
