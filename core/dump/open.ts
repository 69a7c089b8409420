/**
 * Turn what the user gave into one OpenedDump, detecting the format by content.
 *
 *   dump.bin                 raw image, physical base found later from the kernel's own variables
 *   dump.bin@0x40000000      raw image at a given physical base
 *   vmcore / qemu.elf        ELF core (PT_LOADs + VMCOREINFO note)
 *   vmcore.kdump             kdump-compressed, plain or flattened
 *   --ram-file F START END   one physical range per file (ramparser compatible)
 *   --auto-dump DIR          Qualcomm DDRCS*.BIN + load.cmm / dump_info.txt
 */
import { existsSync, statSync } from 'node:fs';
import { ElfFile } from '../elf/elf-file.js';
import { InputError, RamparseError } from '../util/errors.js';
import { FileReader } from '../util/file-reader.js';
import { parseAddress } from '../util/hex.js';
import { openElfVmcore } from './elf-vmcore.js';
import { isFlattened, isKdump, openKdump } from './kdump.js';
import { openQualcommDir } from './qcom.js';
import { openRamFiles, openRawImage, type RamFileSpec } from './raw.js';
import type { OpenedDump } from './types.js';

export interface DumpRequest {
  /** Positional arguments: paths, optionally `path@base`. */
  readonly paths: readonly string[];
  readonly ramFiles: readonly RamFileSpec[];
  readonly autoDumpDir?: string;
}

export type DetectedFormat = 'elf' | 'kdump' | 'raw';

export function detectFormat(path: string): DetectedFormat {
  const f = new FileReader(path);
  try {
    const head = f.read(0, Math.min(64, f.size));
    if (ElfFile.isElf(head)) return 'elf';
    if (isKdump(head) || isFlattened(head)) return 'kdump';
    return 'raw';
  } finally {
    f.close();
  }
}

/** Split `file@0x40000000` into path and base (only when the left part is an existing file). */
export function splitAtBase(arg: string): { path: string; base?: bigint } {
  const at = arg.lastIndexOf('@');
  if (at > 0 && !existsSync(arg)) {
    const path = arg.slice(0, at);
    try {
      return { path, base: parseAddress(arg.slice(at + 1)) };
    } catch {
      throw new RamparseError(`${arg}: bad physical base after '@' (expected e.g. dump.bin@0x40000000)`);
    }
  }
  return { path: arg };
}

export function openDump(req: DumpRequest): OpenedDump {
  const sources = (req.paths.length ? 1 : 0) + (req.ramFiles.length ? 1 : 0) + (req.autoDumpDir ? 1 : 0);
  if (sources === 0) throw new RamparseError('no dump given: pass a dump file, --ram-file FILE START END, or --auto-dump DIR');
  if (sources > 1) throw new RamparseError('give the dump one way only: a dump file, --ram-file, or --auto-dump');
  if (req.autoDumpDir) return openQualcommDir(req.autoDumpDir);
  if (req.ramFiles.length) return openRamFiles(req.ramFiles);

  if (req.paths.length > 1) {
    // Several raw images, each with a base: same as --ram-file without an end.
    const specs = req.paths.map((p) => {
      const { path, base } = splitAtBase(p);
      if (base === undefined) throw new RamparseError(`${p}: with several dump files, give each a base (file@0xADDR) or use --ram-file`);
      return { path, start: base };
    });
    return openRamFiles(specs);
  }
  const { path, base } = splitAtBase(req.paths[0]!);
  if (!existsSync(path)) throw new InputError(path, 'no such file');
  if (statSync(path).isDirectory()) return openQualcommDir(path);
  const format = base !== undefined ? 'raw' : detectFormat(path);
  switch (format) {
    case 'elf':
      return openElfVmcore(path);
    case 'kdump':
      return openKdump(path);
    case 'raw':
      return openRawImage(path, base);
  }
}
