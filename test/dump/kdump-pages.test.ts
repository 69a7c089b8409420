/**
 * kdump page decoding for every compression makedumpfile writes. LZO vectors come from the reference
 * liblzo2 encoder (test/data/kdump/make-vectors.sh), zstd ones from the zstd CLI; zlib and snappy
 * pages are made with node:zlib and snappyjs. The container layout itself is checked on the real
 * QEMU kdump fixtures (test/dump/kdump-fixtures.test.ts); here a minimal diskdump file is built
 * around the pages, plain and in the flattened stream form.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import * as snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { openKdump } from '../../core/dump/kdump.js';
import { lzo1xDecompress, LzoError } from '../../core/dump/lzo1x.js';
import { NotInDumpError } from '../../core/util/errors.js';
import { REPO } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/run.js';

const DATA = join(REPO, 'test/data/kdump');
const PAGES = readFileSync(join(DATA, 'pages.bin'));
const page = (i: number) => PAGES.subarray(i * 4096, (i + 1) * 4096);

describe('LZO1X decoder', () => {
  for (let i = 0; i < 4; i++) {
    it(`decodes page ${i} compressed by liblzo2`, () => {
      expect(lzo1xDecompress(readFileSync(join(DATA, `page${i}.lzo`)), 4096).equals(page(i))).toBe(true);
    });
  }
  it('rejects a truncated stream instead of returning garbage', () => {
    const lzo = readFileSync(join(DATA, 'page2.lzo'));
    expect(() => lzo1xDecompress(lzo.subarray(0, lzo.length - 20), 4096)).toThrow(LzoError);
  });
});

const FLAG = { zlib: 0x1, lzo: 0x2, snappy: 0x4, zstd: 0x20 } as const;

interface Stored {
  pfn: number;
  data: Buffer;
  flags: number;
}

/** A diskdump (makedumpfile kdump-compressed) file holding the given pages. */
function buildDiskdump(pages: Stored[], maxPfn: number): Buffer {
  const bs = 4096;
  const header = Buffer.alloc(bs);
  header.write('KDUMP   ', 0, 'latin1');
  header.writeInt32LE(6, 8); // header_version
  header.write('x86_64', 12 + 4 * 65, 'latin1'); // utsname.machine
  header.writeInt32LE(bs, 428); // block_size
  header.writeInt32LE(1, 432); // sub_hdr_size
  const bitmapBytes = Math.ceil(maxPfn / 8 / bs) * bs;
  header.writeUInt32LE((bitmapBytes * 2) / bs, 436); // bitmap_blocks
  header.writeUInt32LE(maxPfn, 440); // max_mapnr
  const sub = Buffer.alloc(bs);
  sub.writeBigUInt64LE(BigInt(maxPfn), 96); // max_mapnr_64
  const bitmap = Buffer.alloc(bitmapBytes * 2);
  for (const p of pages) {
    bitmap[p.pfn >> 3]! |= 1 << (p.pfn & 7);
    bitmap[bitmapBytes + (p.pfn >> 3)]! |= 1 << (p.pfn & 7);
  }
  const sorted = [...pages].sort((a, b) => a.pfn - b.pfn);
  const descStart = bs * 2 + bitmap.length;
  const descs = Buffer.alloc(Math.ceil((sorted.length * 24) / bs) * bs);
  let dataOff = descStart + descs.length;
  const blobs: Buffer[] = [];
  sorted.forEach((p, i) => {
    descs.writeBigInt64LE(BigInt(dataOff), i * 24);
    descs.writeUInt32LE(p.data.length, i * 24 + 8);
    descs.writeUInt32LE(p.flags, i * 24 + 12);
    blobs.push(p.data);
    dataOff += p.data.length;
  });
  return Buffer.concat([header, sub, bitmap, descs, ...blobs]);
}

/** The same file as makedumpfile -F writes it: (offset, size, data) records in big endian, shuffled. */
function flatten(file: Buffer): Buffer {
  const head = Buffer.alloc(4096);
  head.write('makedumpfile', 0, 'latin1');
  head.writeBigInt64BE(1n, 16);
  head.writeBigInt64BE(1n, 24);
  const parts: Buffer[] = [head];
  const chunk = 3000;
  const order: number[] = [];
  for (let off = 0; off < file.length; off += chunk) order.push(off);
  order.reverse(); // out of order on purpose: the reader must index, not append
  for (const off of order) {
    const data = file.subarray(off, Math.min(off + chunk, file.length));
    const rec = Buffer.alloc(16);
    rec.writeBigInt64BE(BigInt(off), 0);
    rec.writeBigInt64BE(BigInt(data.length), 8);
    parts.push(rec, data);
  }
  const end = Buffer.alloc(16);
  end.writeBigInt64BE(-1n, 0);
  end.writeBigInt64BE(-1n, 8);
  parts.push(end);
  return Buffer.concat(parts);
}

describe('kdump-compressed reader', () => {
  const stored: Stored[] = [
    { pfn: 0x10, data: readFileSync(join(DATA, 'page0.lzo')), flags: FLAG.lzo },
    { pfn: 0x11, data: Buffer.from(page(1)), flags: 0 }, // incompressible: stored raw
    { pfn: 0x13, data: readFileSync(join(DATA, 'page2.zst')), flags: FLAG.zstd },
    { pfn: 0x14, data: Buffer.from(snappy.compress(page(3))), flags: FLAG.snappy },
    { pfn: 0x20, data: deflateSync(page(0)), flags: FLAG.zlib },
  ];
  const expected = new Map([
    [0x10, page(0)],
    [0x11, page(1)],
    [0x13, page(2)],
    [0x14, page(3)],
    [0x20, page(0)],
  ]);
  const plain = buildDiskdump(stored, 0x40);

  for (const [name, bytes] of [
    ['plain', plain],
    ['flattened', flatten(plain)],
  ] as const) {
    it(`${name}: every page reads back exactly, whatever its compression`, () => {
      const path = join(tempDir(), `dump.${name}`);
      writeFileSync(path, bytes);
      const d = openKdump(path);
      try {
        expect(d.format).toBe('kdump');
        expect(d.machine).toBe('x86_64');
        for (const [pfn, want] of expected) expect(d.memory.read(BigInt(pfn) * 4096n, 4096).equals(want), `pfn ${pfn}`).toBe(true);
        // a read spanning two dumped pages (0x13 → 0x14)
        const span = d.memory.read(0x13n * 4096n + 4000n, 200);
        expect(span.equals(Buffer.concat([page(2).subarray(4000), page(3).subarray(0, 104)]))).toBe(true);
      } finally {
        d.close();
      }
    });

    it(`${name}: excluded pages are holes, not zeros`, () => {
      const path = join(tempDir(), `dump.${name}`);
      writeFileSync(path, bytes);
      const d = openKdump(path);
      try {
        expect(() => d.memory.read(0x12n * 4096n, 8)).toThrow(NotInDumpError);
        expect(() => d.memory.read(0x13n * 4096n + 4090n, 4096 * 3)).toThrow(NotInDumpError);
      } finally {
        d.close();
      }
    });
  }

  it('flattened: a later record overwrites an earlier one, in either overlap direction', () => {
    // Replayed in order, these records leave the plain file: first garbage over the whole page data
    // area, then the true bytes in two pieces, the second of which was itself partly overwritten
    // before it was written again.
    const dataStart = plain.length - 3 * 4096;
    const garbage = Buffer.alloc(plain.length - dataStart, 0xee);
    const rec = (off: number, data: Buffer) => {
      const h = Buffer.alloc(16);
      h.writeBigInt64BE(BigInt(off), 0);
      h.writeBigInt64BE(BigInt(data.length), 8);
      return [h, data];
    };
    const head = Buffer.alloc(4096);
    head.write('makedumpfile', 0, 'latin1');
    const end = Buffer.alloc(16, 0xff);
    const mid = dataStart + 5000;
    const stream = Buffer.concat([
      head,
      ...rec(0, plain.subarray(0, dataStart)),
      ...rec(dataStart, garbage),
      ...rec(mid + 100, Buffer.alloc(300, 0x55)),
      ...rec(dataStart, plain.subarray(dataStart, mid)),
      ...rec(mid, plain.subarray(mid)),
      end,
    ]);
    const path = join(tempDir(), 'overlap.kdump');
    writeFileSync(path, stream);
    const d = openKdump(path);
    try {
      for (const [pfn, want] of expected) expect(d.memory.read(BigInt(pfn) * 4096n, 4096).equals(want), `pfn ${pfn}`).toBe(true);
    } finally {
      d.close();
    }
  });

  it('a truncated file is one clear error naming it', () => {
    const path = join(tempDir(), 'cut.kdump');
    writeFileSync(path, plain.subarray(0, 6000));
    expect(() => openKdump(path)).toThrow(/cut\.kdump: truncated/);
  });
});
