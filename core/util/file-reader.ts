/**
 * Positioned reads from a (possibly huge) file with a small block cache.
 *
 * Dumps and vmlinux files can exceed the 2 GiB Buffer limit, so nothing here ever loads a whole file.
 * Small scattered reads (page-table walks, list walks) hit the cache; bulk reads (a section of
 * struct pages) bypass it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from './errors.js';

const BLOCK_SHIFT = 16;
const BLOCK_SIZE = 1 << BLOCK_SHIFT;
const MAX_BLOCKS = 256; // 16 MiB of cache per file

export class FileReader {
  readonly size: number;
  private fd: number;
  private readonly blocks = new Map<number, Buffer>();

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      throw new InputError(path, `cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    this.size = fstatSync(this.fd).size;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.blocks.clear();
  }

  /** Read exactly `length` bytes at `offset`; throws InputError when the file is too short. */
  read(offset: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    this.readInto(offset, out, 0, length);
    return out;
  }

  readInto(offset: number, target: Buffer, targetOffset: number, length: number): void {
    if (offset < 0 || offset + length > this.size) {
      throw new InputError(this.path, `truncated: need bytes ${offset}..${offset + length} but the file has ${this.size}`);
    }
    if (length >= BLOCK_SIZE) {
      this.readDirect(offset, target, targetOffset, length);
      return;
    }
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      const blockNo = Math.floor(pos / BLOCK_SIZE);
      const block = this.block(blockNo);
      const inBlock = pos - blockNo * BLOCK_SIZE;
      const n = Math.min(length - done, block.length - inBlock);
      block.copy(target, targetOffset + done, inBlock, inBlock + n);
      done += n;
    }
  }

  private block(blockNo: number): Buffer {
    const hit = this.blocks.get(blockNo);
    if (hit) {
      // refresh LRU position
      this.blocks.delete(blockNo);
      this.blocks.set(blockNo, hit);
      return hit;
    }
    const start = blockNo * BLOCK_SIZE;
    const len = Math.min(BLOCK_SIZE, this.size - start);
    const buf = Buffer.allocUnsafe(len);
    this.readDirect(start, buf, 0, len);
    if (this.blocks.size >= MAX_BLOCKS) {
      const oldest = this.blocks.keys().next().value as number;
      this.blocks.delete(oldest);
    }
    this.blocks.set(blockNo, buf);
    return buf;
  }

  private readDirect(offset: number, target: Buffer, targetOffset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, target, targetOffset + done, length - done, offset + done);
      if (n <= 0) throw new InputError(this.path, `short read at offset ${offset + done}`);
      done += n;
    }
  }
}
