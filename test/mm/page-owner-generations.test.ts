/**
 * The page_owner header and PFN-line generation follow the fields struct page_owner has
 * (docs/formats.md), with the version deciding only where the struct did not change.
 */
import { describe, expect, it } from 'vitest';
import type { PageOwnerFields } from '../../core/mm/page-owner.js';
import { headerStyleFor, pfnStyleFor } from '../../plugins/page-owner/format.js';

const none: PageOwnerFields = { pid: false, tgid: false, comm: false, tsNsec: false, freeTsNsec: false, freeHandle: false, freePid: false, lastMigrateReason: true };

describe('page_owner print generations', () => {
  it('≤5.10: no pid in struct page_owner', () => expect(headerStyleFor(none, false)).toBe('v5.10'));
  it('5.11–5.12: pid and ts', () => expect(headerStyleFor({ ...none, pid: true, tsNsec: true }, false)).toBe('v5.11'));
  it('5.13–5.17: free_ts', () => expect(headerStyleFor({ ...none, pid: true, tsNsec: true, freeTsNsec: true, freeHandle: true }, false)).toBe('v5.13'));
  it('5.18–6.6: tgid and comm', () => expect(headerStyleFor({ ...none, pid: true, tgid: true, comm: true, tsNsec: true, freeTsNsec: true }, false)).toBe('v5.18'));
  it('6.7: same struct, free_ts no longer printed', () => expect(headerStyleFor({ ...none, pid: true, tgid: true, comm: true, tsNsec: true, freeTsNsec: true }, true)).toBe('v6.7'));
  it('free_pid proves the newer format even on a kernel that reports an older version (backports)', () => {
    expect(headerStyleFor({ ...none, pid: true, tgid: true, comm: true, tsNsec: true, freeTsNsec: true, freePid: true }, false)).toBe('v6.7');
  });
  it('PFN line: hex from 6.5, %pGp with its own value from 5.14, "%#lx(%pGp)" before', () => {
    expect(pfnStyleFor(true, true)).toBe('hex');
    expect(pfnStyleFor(false, true)).toBe('dec');
    expect(pfnStyleFor(false, false)).toBe('dec-hexflags');
  });
});
