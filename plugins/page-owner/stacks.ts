/**
 * /sys/kernel/debug/page_owner_stacks/show_stacks (6.9+, mm/page_owner.c stack_print()): every stack
 * on page_owner's stack_list whose stack_record count minus one (the pages it still owns) is at least
 * 1 and at least page_owner_pages_threshold, as " %pS" frames and "nr_base_pages: %d".
 */
import type { Kernel } from '../../core/kernel/kernel.js';
import type { TextSink } from '../../core/plugin/output.js';
import type { Symbolizer } from '../../core/symbols/symbolizer.js';

/** Whether this kernel has the page_owner_stacks interface. */
export function hasPageOwnerStacks(k: Kernel): boolean {
  return k.hasSymbol('stack_list') && k.hasType('struct stack') && k.hasMember('struct stack', 'stack_record') && k.hasMember('struct stack_record', 'count');
}

export function writePageOwnerStacks(k: Kernel, symbols: Symbolizer, out: TextSink): void {
  const threshold = k.hasSymbol('page_owner_pages_threshold') ? k.readU64(k.symbol('page_owner_pages_threshold')) : 0n;
  const recOff = BigInt(k.offsetof('struct stack', 'stack_record'));
  const nextOff = BigInt(k.offsetof('struct stack', 'next'));
  const seen = new Set<bigint>();
  let stack = k.readPointer(k.symbol('stack_list'));
  while (stack !== 0n) {
    if (seen.has(stack) || seen.size > 10_000_000) {
      k.warn('page_owner stack_list loops; page_owner_stacks.txt stops there');
      break;
    }
    seen.add(stack);
    const record = k.readPointer(stack + recOff);
    if (record !== 0n) {
      const rec = k.object('struct stack_record', record);
      const nrBasePages = Number(BigInt.asIntN(32, rec.value('count.refs.counter'))) - 1;
      if (nrBasePages >= 1 && BigInt(nrBasePages) >= threshold) {
        const size = rec.num('size');
        const entries = k.read(rec.memberAddress('entries'), size * 8);
        for (let i = 0; i < size; i++) out.write(` ${symbols.format(entries.readBigUInt64LE(i * 8))}\n`);
        out.write(`nr_base_pages: ${nrBasePages}\n\n`);
      }
    }
    stack = k.readPointer(stack + nextOff);
  }
}
