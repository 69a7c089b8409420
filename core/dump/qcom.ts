/**
 * Qualcomm RAM dumps as QPST/PCAT save them: DDRCS*.BIN (and friends) described by `load.cmm`
 * (`d.load.binary DDRCS0_0.BIN 0x80000000 /noclear`) or by `dump_info.txt`
 * (`1 0x0000000080000000 0x0000000040000000 DDR CS0 part0 Memory DDRCS0_0.BIN`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';
import { openRamFiles, type RamFileSpec } from './raw.js';
import type { OpenedDump } from './types.js';

export function parseLoadCmm(text: string, dir: string): RamFileSpec[] {
  const specs: RamFileSpec[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*d(?:ata)?\.load\.binary\s+"?([^\s"]+)"?\s+(?:a:)?(0x[0-9a-fA-F]+)/i.exec(line);
    if (!m) continue;
    const file = m[1]!.replace(/^.*[\\/]/, '');
    specs.push({ path: join(dir, file), start: BigInt(m[2]!) });
  }
  return specs;
}

export function parseDumpInfo(text: string, dir: string): RamFileSpec[] {
  const specs: RamFileSpec[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*\d+\s+(0x[0-9a-fA-F]+)\s+(0x[0-9a-fA-F]+|\d+)\s+.*?(\S+\.(?:BIN|bin))\s*$/.exec(line);
    if (!m) continue;
    const start = BigInt(m[1]!);
    const size = BigInt(m[2]!);
    specs.push({ path: join(dir, m[3]!), start, end: start + size });
  }
  return specs;
}

export function openQualcommDir(dir: string): OpenedDump {
  if (!existsSync(dir)) throw new InputError(dir, 'no such directory');
  const loadCmm = readdirSync(dir).find((f) => f.toLowerCase() === 'load.cmm');
  const dumpInfo = readdirSync(dir).find((f) => f.toLowerCase() === 'dump_info.txt');
  let specs: RamFileSpec[] = [];
  if (loadCmm) specs = parseLoadCmm(readFileSync(join(dir, loadCmm), 'latin1'), dir);
  if (specs.length === 0 && dumpInfo) specs = parseDumpInfo(readFileSync(join(dir, dumpInfo), 'latin1'), dir);
  if (specs.length === 0) throw new InputError(dir, 'no DDR ranges found: expected load.cmm with d.load.binary lines or dump_info.txt');
  for (const s of specs) if (!existsSync(s.path)) throw new InputError(s.path, 'listed in the dump directory but missing');
  const opened = openRamFiles(specs);
  return { ...opened, format: 'qcom' };
}
