/**
 * Name → DIE offset for one namespace (struct tags, typedefs, variables, …), built by the indexer.
 *
 * While scanning, names are not turned into strings: most arrive as DW_FORM_strp/strx offsets into
 * .debug_str, and the linker merged identical strings, so the offset itself is the key for the
 * thousands of per-CU copies of each name. gcc puts names of ≤ 3 characters inline
 * (DW_FORM_string, when the string is no longer than an offset); those are packed into a negative
 * number. Only the distinct names are decoded, once, in `finish()`.
 *
 * Values pack the DIE offset with a rank: a higher rank replaces a lower one, so definitions win
 * over declarations wherever they appear.
 */
import { cStringAt } from './cursor.js';

export const RANK_DECLARATION = 0;
export const RANK_DEFINITION = 1;
/** Variables only: an external definition beats a file-static one of the same name. */
export const RANK_EXTERNAL_DEFINITION = 2;

export class NameTable {
  private readonly byKey = new Map<number, number>();
  private readonly byText = new Map<string, number>();
  private final: Map<string, number> | undefined;

  /** Record a name given by .debug_str offset (≥ 0) or packed inline key (< 0). */
  addKey(key: number, dieOffset: number, rank: number): void {
    const packed = dieOffset * 4 + rank;
    const old = this.byKey.get(key);
    if (old === undefined || old % 4 < rank) this.byKey.set(key, packed);
  }

  addText(name: string, dieOffset: number, rank: number): void {
    const packed = dieOffset * 4 + rank;
    const old = this.byText.get(name);
    if (old === undefined || old % 4 < rank) this.byText.set(name, packed);
  }

  /** Decode the distinct names; afterwards `get` answers by name. */
  finish(str: Buffer): void {
    const out = new Map<string, number>();
    const merge = (name: string, packed: number): void => {
      const old = out.get(name);
      if (old === undefined || old % 4 < packed % 4) out.set(name, packed);
    };
    for (const [key, packed] of this.byKey) merge(key >= 0 ? cStringAt(str, key) : unpackInlineName(key), packed);
    for (const [name, packed] of this.byText) merge(name, packed);
    this.byKey.clear();
    this.byText.clear();
    this.final = out;
  }

  /** Record a name after `finish()` (definitions found late, e.g. through a cross-unit specification). */
  addFinished(name: string, dieOffset: number, rank: number): void {
    if (!this.final) throw new Error('NameTable.addFinished before finish');
    const old = this.final.get(name);
    if (old === undefined || old % 4 < rank) this.final.set(name, dieOffset * 4 + rank);
  }

  /** DIE offset for a name, or undefined. */
  get(name: string): number | undefined {
    const packed = this.final?.get(name);
    return packed === undefined ? undefined : Math.floor(packed / 4);
  }

  /** Whether the recorded DIE is a definition. */
  isDefinition(name: string): boolean {
    const packed = this.final?.get(name);
    return packed !== undefined && packed % 4 > 0;
  }

  get size(): number {
    return this.final?.size ?? this.byKey.size + this.byText.size;
  }

  names(): IterableIterator<string> {
    return (this.final ?? new Map<string, number>()).keys();
  }
}

/**
 * Pack an inline name of 1–3 bytes into a negative key (the bytes are non-zero, so the packing is
 * unambiguous), or return 0 when the name does not fit.
 */
export function packInlineName(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len < 1 || len > 3) return 0;
  let v = 0;
  for (let i = 0; i < len; i++) v |= buf[start + i]! << (8 * i);
  return -1 - v;
}

function unpackInlineName(key: number): string {
  let v = -1 - key;
  let s = '';
  while (v) {
    s += String.fromCharCode(v & 0xff);
    v >>>= 8;
  }
  return s;
}
