/**
 * SLUB user tracking (SLAB_STORE_USER): two struct track records (alloc, free) after each object's
 * metadata, at get_info_end(s) = s->inuse (+ a pointer when the free pointer sits outside the object).
 */
import type { Kernel } from '../kernel/kernel.js';
import type { SlubCache } from './slub.js';

export interface Track {
  readonly addr: bigint;
  readonly handle: number;
  readonly cpu: number;
  readonly pid: number;
  readonly when: bigint;
}

export class SlubTracks {
  readonly enabled: boolean;
  private readonly infoEnd: number;

  constructor(
    private readonly kernel: Kernel,
    cache: SlubCache,
  ) {
    const bit = kernel.enumValue('_SLAB_STORE_USER');
    const flag = bit !== undefined ? 1n << bit : 0x10000n;
    this.enabled = (cache.flags & flag) !== 0n && kernel.hasType('struct track');
    this.infoEnd = cache.offset >= cache.inuse ? cache.inuse + 8 : cache.inuse;
  }

  /** The allocation track of an object (undefined when tracking is off or unreadable). */
  alloc(object: bigint): Track | undefined {
    if (!this.enabled) return undefined;
    try {
      const t = this.kernel.object('struct track', object + BigInt(this.infoEnd));
      return {
        addr: t.ptr('addr'),
        handle: t.has('handle') ? t.num('handle') : 0,
        cpu: t.num('cpu'),
        pid: t.num('pid'),
        when: t.value('when'),
      };
    } catch {
      return undefined;
    }
  }
}
