/** Formatting helpers that keep 64-bit values exact. */
export function hex(v: bigint | number, pad = 0): string {
  const s = (typeof v === 'bigint' ? BigInt.asUintN(64, v) : v).toString(16);
  return '0x' + (pad ? s.padStart(pad, '0') : s);
}

export function parseAddress(text: string): bigint {
  const t = text.trim().toLowerCase().replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|[0-9]+)$/.test(t)) throw new Error(`not a number: '${text}'`);
  return BigInt(t);
}

export const U64_MASK = (1n << 64n) - 1n;
