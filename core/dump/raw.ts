/**
 * Raw physical memory images: `dump.bin` (base found later), `dump.bin@0x40000000`, and ramparser's
 * `--ram-file FILE START END` (several files = several ranges).
 */
import { InputError } from '../util/errors.js';
import { FileReader } from '../util/file-reader.js';
import { FileBacking, PhysicalMemory, type PhysRange } from './physical-memory.js';
import type { OpenedDump } from './types.js';

export interface RamFileSpec {
  readonly path: string;
  readonly start: bigint;
  /** As given by the user; inclusive or exclusive is decided against the file size. */
  readonly end?: bigint;
}

export function openRawImage(path: string, base: bigint | undefined): OpenedDump {
  const file = new FileReader(path);
  if (file.size === 0) {
    file.close();
    throw new InputError(path, 'empty file');
  }
  const range: PhysRange = {
    start: base ?? 0n,
    end: (base ?? 0n) + BigInt(file.size),
    backing: new FileBacking(path, file),
    backingOffset: 0,
  };
  return {
    memory: new PhysicalMemory([range]),
    format: 'raw',
    files: [path],
    baseKnown: base !== undefined,
    close: () => file.close(),
  };
}

/** ramparser's END is inclusive (0x80000000 0xffffffff); accept an exclusive END too. */
export function ramFileLength(spec: RamFileSpec, fileSize: number): number {
  if (spec.end === undefined) return fileSize;
  if (spec.end <= spec.start) throw new InputError(spec.path, `--ram-file end 0x${spec.end.toString(16)} is not above start 0x${spec.start.toString(16)}`);
  const exclusive = Number(spec.end - spec.start);
  const inclusive = exclusive + 1;
  if (inclusive === fileSize || exclusive === fileSize) return fileSize;
  if (inclusive < fileSize) return inclusive;
  throw new InputError(
    spec.path,
    `truncated: --ram-file range 0x${spec.start.toString(16)}-0x${spec.end.toString(16)} needs ${inclusive} bytes but the file has ${fileSize}`,
  );
}

export function openRamFiles(specs: readonly RamFileSpec[]): OpenedDump {
  const files: FileReader[] = [];
  const ranges: PhysRange[] = [];
  try {
    for (const spec of specs) {
      const f = new FileReader(spec.path);
      files.push(f);
      const len = ramFileLength(spec, f.size);
      ranges.push({ start: spec.start, end: spec.start + BigInt(len), backing: new FileBacking(spec.path, f), backingOffset: 0 });
    }
    return {
      memory: new PhysicalMemory(ranges),
      format: 'ram-files',
      files: specs.map((s) => s.path),
      baseKnown: true,
      close: () => files.forEach((f) => f.close()),
    };
  } catch (e) {
    files.forEach((f) => f.close());
    throw e;
  }
}
