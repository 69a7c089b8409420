// Access to the committed fixture sets (fixtures/<arch>-<version>/) for tests, the demo and the
// benchmark: manifests, and files decompressed on demand into a cache outside the tree (once per
// content hash, verified against the manifest's sha256).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decompress } from 'fzstd';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = join(REPO, 'fixtures');

export function cacheDir() {
  const base = process.env.RAMPARSE_FIXTURE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ramparse-fixtures');
  mkdirSync(base, { recursive: true });
  return base;
}

export function fixtureSets() {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES).filter((d) => existsSync(join(FIXTURES, d, 'manifest.json'))).sort();
}

export function manifest(set) {
  return JSON.parse(readFileSync(join(FIXTURES, set, 'manifest.json'), 'utf8'));
}

export function sha256(path) {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  try {
    let n;
    while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

function zstdDecompressFile(src, dst) {
  // The zstd CLI is much faster when present; fzstd (pure JS) always works.
  const cli = spawnSync('zstd', ['-q', '-d', '--long=31', '-f', src, '-o', dst], { stdio: 'ignore' });
  if (cli.status === 0) return;
  const fd = openSync(src, 'r');
  const out = openSync(dst, 'w');
  try {
    const d = new Decompress((chunk) => writeSync(out, chunk));
    const buf = Buffer.allocUnsafe(1 << 20);
    let n;
    // fzstd keeps references to pushed chunks: give it copies, not views of the reused buffer.
    while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) d.push(Uint8Array.prototype.slice.call(buf, 0, n));
    d.push(new Uint8Array(0), true);
  } finally {
    closeSync(fd);
    closeSync(out);
  }
}

/** Path to the content of a fixture file ("vmlinux", "vmcore.elf", "live/page_owner.txt"). */
export function fixtureFile(set, content) {
  const m = manifest(set);
  const entry = Object.entries(m.files).find(([, f]) => f.content === content);
  if (!entry) throw new Error(`fixture ${set} has no file ${content}`);
  const [committed, f] = entry;
  const inTree = join(FIXTURES, set, committed);
  if (!committed.endsWith('.zst')) return inTree;
  const dir = join(cacheDir(), f.contentSha256);
  const out = join(dir, content.replace(/\//g, '_'));
  if (existsSync(out) && existsSync(out + '.ok') && statSync(out).size === f.contentSize) return out;
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.tmp${process.pid}`;
  zstdDecompressFile(inTree, tmp);
  const got = sha256(tmp);
  if (got !== f.contentSha256) throw new Error(`${inTree}: decompressed content has sha256 ${got}, manifest says ${f.contentSha256}`);
  renameSync(tmp, out);
  writeFileSync(out + '.ok', 'ok');
  return out;
}

export function fixtureText(set, content) {
  return readFileSync(fixtureFile(set, content), 'latin1');
}

/**
 * The raw dump.bin of a set, as `pmemsave` of the guest RAM writes it: the ELF vmcore's PT_LOAD bytes
 * inside [ramPhysBase, ramPhysBase + ramMiB) at (paddr − ramPhysBase), holes zero-filled. (The ELF
 * also holds non-RAM blocks such as the x86 BIOS ROM at 0xfffc0000, which a RAM image does not.)
 */
export function rawDump(set) {
  const elfPath = fixtureFile(set, 'vmcore.elf');
  const m = manifest(set);
  const elfEntry = Object.values(m.files).find((f) => f.content === 'vmcore.elf');
  const out = join(cacheDir(), elfEntry.contentSha256, 'ram.bin');
  const base = BigInt(m.ramPhysBase);
  const ramEnd = base + BigInt(m.ramMiB) * 1048576n;
  if (existsSync(out + '.ok')) return { path: out, base };
  const head = Buffer.alloc(1 << 16);
  const fdIn = openSync(elfPath, 'r');
  readSync(fdIn, head, 0, head.length, 0);
  const phoff = Number(head.readBigUInt64LE(32));
  const phentsize = head.readUInt16LE(54);
  const phnum = head.readUInt16LE(56);
  const tmp = `${out}.tmp${process.pid}`;
  const fdOut = openSync(tmp, 'w');
  try {
    const buf = Buffer.allocUnsafe(1 << 22);
    for (let i = 0; i < phnum; i++) {
      const b = phoff + i * phentsize;
      if (head.readUInt32LE(b) !== 1) continue;
      const offset = Number(head.readBigUInt64LE(b + 8));
      const paddr = head.readBigUInt64LE(b + 24);
      const filesz = Number(head.readBigUInt64LE(b + 32));
      if (paddr < base || paddr + BigInt(filesz) > ramEnd) continue;
      let done = 0;
      while (done < filesz) {
        const n = readSync(fdIn, buf, 0, Math.min(buf.length, filesz - done), offset + done);
        writeSync(fdOut, buf, 0, n, Number(paddr - base) + done);
        done += n;
      }
    }
  } finally {
    closeSync(fdIn);
    closeSync(fdOut);
  }
  renameSync(tmp, out);
  writeFileSync(out + '.ok', 'ok');
  return { path: out, base };
}
