/**
 * ELF vmcores: /proc/vmcore as saved by kdump, QEMU's `dump-guest-memory` ELF output, makedumpfile -E.
 * Physical ranges come from PT_LOAD p_paddr/p_filesz; the VMCOREINFO note, when present, tells the
 * kernel locator KERNELOFFSET, PHYS_OFFSET and friends without any searching.
 */
import { ElfFile, EM_AARCH64, EM_X86_64, PT_LOAD } from '../elf/elf-file.js';
import { InputError } from '../util/errors.js';
import { FileReader } from '../util/file-reader.js';
import { FileBacking, PhysicalMemory, type PhysRange } from './physical-memory.js';
import type { OpenedDump } from './types.js';

export function openElfVmcore(path: string): OpenedDump {
  const file = new FileReader(path);
  try {
    const elf = new ElfFile(file);
    if (elf.elfType !== 4 /* ET_CORE */) throw new InputError(path, `ELF type ${elf.elfType} is not a core file (is this a vmlinux?)`);
    const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.filesz > 0);
    if (loads.length === 0) throw new InputError(path, 'ELF core has no PT_LOAD segments');
    const backing = new FileBacking(path, file);
    const ranges: PhysRange[] = [];
    // /proc/vmcore on x86_64 also maps the kernel image (a second view of RAM already covered by
    // another PT_LOAD); keep the first segment that covers each physical byte.
    const sorted = [...loads].sort((a, b) => (a.paddr < b.paddr ? -1 : a.paddr > b.paddr ? 1 : b.filesz - a.filesz));
    let covered = -1n;
    for (const seg of sorted) {
      if (seg.offset + seg.filesz > file.size) {
        throw new InputError(path, `truncated: PT_LOAD at physical 0x${seg.paddr.toString(16)} needs file bytes up to ${seg.offset + seg.filesz} but the file has ${file.size}`);
      }
      let start = seg.paddr;
      const end = seg.paddr + BigInt(seg.filesz);
      if (end <= covered) continue;
      if (start < covered) start = covered;
      ranges.push({ start, end, backing, backingOffset: seg.offset + Number(start - seg.paddr) });
      covered = end;
    }
    const vmcoreinfoNote = elf.notes().find((n) => n.name === 'VMCOREINFO');
    const machine = elf.machine === EM_X86_64 ? 'x86_64' : elf.machine === EM_AARCH64 ? 'arm64' : undefined;
    if (machine === undefined) throw new InputError(path, `ELF machine ${elf.machine} is not supported (x86_64 and arm64 are)`);
    return {
      memory: new PhysicalMemory(ranges),
      format: 'elf',
      files: [path],
      baseKnown: true,
      vmcoreinfo: vmcoreinfoNote ? vmcoreinfoNote.desc.toString('latin1').replace(/\0+$/, '') : undefined,
      machine,
      close: () => file.close(),
    };
  } catch (e) {
    file.close();
    throw e;
  }
}
