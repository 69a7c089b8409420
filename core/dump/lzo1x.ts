/**
 * LZO1X decompression (the format makedumpfile writes with DUMP_DH_COMPRESSED_LZO).
 * No npm package decodes it without a native build here, and the decoder is short; this follows
 * lib/lzo/lzo1x_decompress_safe.c of the Linux kernel, with bounds checks on every copy.
 */
export class LzoError extends Error {}

const M2_MAX_OFFSET = 0x0800;

export function lzo1xDecompress(src: Uint8Array, outSize: number): Buffer {
  const out = Buffer.alloc(outSize);
  let ip = 0;
  let op = 0;
  let state = 0;
  let t = 0;
  let next = 0;
  let mPos = 0;

  const need = (n: number) => {
    if (ip + n > src.length) throw new LzoError('input overrun');
  };
  const copyLiterals = (n: number) => {
    need(n);
    if (op + n > outSize) throw new LzoError('output overrun');
    for (let i = 0; i < n; i++) out[op++] = src[ip++]!;
  };
  const copyMatch = (from: number, n: number) => {
    if (from < 0) throw new LzoError('lookbehind overrun');
    if (op + n > outSize) throw new LzoError('output overrun');
    for (let i = 0; i < n; i++) out[op++] = out[from + i]!;
  };
  const longLength = (base: number): number => {
    let n = 0;
    need(1);
    while (src[ip] === 0) {
      n += 255;
      ip++;
      need(1);
    }
    return n + base + src[ip++]!;
  };

  need(1);
  if (src[ip]! > 17) {
    t = src[ip++]! - 17;
    if (t < 4) {
      next = t;
      state = next;
      copyLiterals(next);
    } else {
      copyLiterals(t);
      state = 4;
    }
  }
  for (;;) {
    need(1);
    t = src[ip++]!;
    if (t < 16) {
      if (state === 0) {
        if (t === 0) t = longLength(15);
        copyLiterals(t + 3);
        state = 4;
        continue;
      } else if (state !== 4) {
        next = t & 3;
        need(1);
        mPos = op - 1 - (t >> 2) - (src[ip++]! << 2);
        copyMatch(mPos, 2);
        state = next;
        copyLiterals(next);
        continue;
      } else {
        next = t & 3;
        need(1);
        mPos = op - (1 + M2_MAX_OFFSET) - (t >> 2) - (src[ip++]! << 2);
        t = 3;
      }
    } else if (t >= 64) {
      next = t & 3;
      need(1);
      mPos = op - 1 - ((t >> 2) & 7) - (src[ip++]! << 3);
      t = (t >> 5) - 1 + 2;
    } else if (t >= 32) {
      t = (t & 31) + 2;
      if (t === 2) t += longLength(31);
      need(2);
      next = src[ip]! | (src[ip + 1]! << 8);
      ip += 2;
      mPos = op - 1 - (next >> 2);
      next &= 3;
    } else {
      mPos = op - ((t & 8) << 11);
      t = (t & 7) + 2;
      if (t === 2) t += longLength(7);
      need(2);
      next = src[ip]! | (src[ip + 1]! << 8);
      ip += 2;
      mPos -= next >> 2;
      next &= 3;
      if (mPos === op) {
        if (op !== outSize) throw new LzoError(`stream ended after ${op} of ${outSize} bytes`);
        return out;
      }
      mPos -= 0x4000;
    }
    copyMatch(mPos, t);
    state = next;
    copyLiterals(next);
  }
}
