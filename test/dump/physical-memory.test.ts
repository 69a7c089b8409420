/**
 * Physical memory from file-backed ranges: reads span adjacent ranges, holes are errors, raw
 * images accept ramparser's inclusive END and an exclusive one, Qualcomm descriptors parse.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDump, splitAtBase } from '../../core/dump/open.js';
import { parseDumpInfo, parseLoadCmm } from '../../core/dump/qcom.js';
import { InputError, NotInDumpError, RamparseError } from '../../core/util/errors.js';
import { tempDir } from '../helpers/run.js';

function file(dir: string, name: string, bytes: number, fill: number): string {
  const p = join(dir, name);
  writeFileSync(p, Buffer.alloc(bytes, fill));
  return p;
}

describe('raw images and --ram-file', () => {
  const dir = tempDir();
  const a = file(dir, 'DDRCS0.BIN', 0x2000, 0xaa);
  const b = file(dir, 'DDRCS1.BIN', 0x1000, 0xbb);

  it('reads across two adjacent ranges and fails on a hole', () => {
    const d = openDump({ paths: [], ramFiles: [
      { path: a, start: 0x80000000n, end: 0x80001fffn }, // inclusive END (ramparser)
      { path: b, start: 0x80002000n, end: 0x80003000n }, // exclusive END
    ] });
    expect(d.memory.read(0x80001ffen, 4)).toEqual(Buffer.from([0xaa, 0xaa, 0xbb, 0xbb]));
    expect(() => d.memory.read(0x80002ff0n, 0x20)).toThrow(NotInDumpError);
    expect(() => d.memory.read(0x7ffffff0n, 4)).toThrow(/physical address 0x7ffffff0 is not in the dump/);
    d.close();
  });

  it('a range longer than its file is a truncation error naming the file', () => {
    expect(() => openDump({ paths: [], ramFiles: [{ path: b, start: 0x1000n, end: 0x3fffn }] })).toThrow(InputError);
    expect(() => openDump({ paths: [], ramFiles: [{ path: b, start: 0x1000n, end: 0x3fffn }] })).toThrow(/DDRCS1\.BIN: truncated/);
  });

  it('overlapping ranges are refused', () => {
    expect(() => openDump({ paths: [], ramFiles: [{ path: a, start: 0n }, { path: b, start: 0x1000n }] })).toThrow(/overlap/);
  });

  it('dump.bin@base places the image; several images need a base each', () => {
    expect(splitAtBase(`${a}@0x40000000`)).toEqual({ path: a, base: 0x40000000n });
    const d = openDump({ paths: [`${a}@0x40000000`], ramFiles: [] });
    expect(d.baseKnown).toBe(true);
    expect(d.memory.start).toBe(0x40000000n);
    d.close();
    expect(() => openDump({ paths: [a, b], ramFiles: [] })).toThrow(RamparseError);
  });

  it('a raw image without a base is provisional', () => {
    const d = openDump({ paths: [a], ramFiles: [] });
    expect(d.format).toBe('raw');
    expect(d.baseKnown).toBe(false);
    d.close();
  });
});

describe('Qualcomm dump descriptors', () => {
  it('load.cmm d.load.binary lines', () => {
    const specs = parseLoadCmm('d.load.binary DDRCS0_0.BIN 0x80000000 /noclear\nd.load.binary "DDRCS1_0.BIN" a:0x100000000 /noclear\nsys.up\n', '/d');
    expect(specs).toEqual([
      { path: '/d/DDRCS0_0.BIN', start: 0x80000000n },
      { path: '/d/DDRCS1_0.BIN', start: 0x100000000n },
    ]);
  });

  it('dump_info.txt lines', () => {
    const specs = parseDumpInfo('   1 0x0000000080000000 0x0000000040000000 DDR CS0 part0 Memory DDRCS0_0.BIN\n', '/d');
    expect(specs).toEqual([{ path: '/d/DDRCS0_0.BIN', start: 0x80000000n, end: 0xc0000000n }]);
  });
});
