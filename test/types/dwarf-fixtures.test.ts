/**
 * DWARF vs BTF on the lab's fixture kernels (fixtures/<arch>-<ver>/). A set whose manifest says its
 * vmlinux keeps DWARF is decompressed once into the shared fixture cache (test/helpers/fixtures.ts);
 * a set committed without DWARF is checked against the lab's unstripped vmlinux only on the lab
 * machine that has it (elsewhere there is nothing to compare, so no test is defined for it).
 */
import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { fixtureFile, fixtureSets, manifest, type Manifest } from '../helpers/fixtures.js';
import { defineKernelChecks } from './dwarf-kernel-suite.js';

/** fixtures/lab/manifest.mjs also records where the lab left the unstripped vmlinux. */
type LabManifest = Manifest & { readonly unstrippedVmlinuxPath?: string };

const sets = fixtureSets();

describe('DWARF type source on fixture kernels', () => {
  for (const set of sets) {
    const m = manifest(set) as LabManifest;
    const unstripped = m.unstrippedVmlinuxPath;
    if (m.dwarf?.committed) {
      describe(set, () => defineKernelChecks(`${set} (committed vmlinux, DWARF ${m.dwarf.version})`, () => fixtureFile(set, 'vmlinux'), { exhaustiveAgreement: 0.99 }));
    } else if (unstripped && existsSync(unstripped)) {
      describe(set, () => defineKernelChecks(`${set} (lab's unstripped vmlinux, DWARF ${m.dwarf?.version})`, () => unstripped, { exhaustiveAgreement: 0.99 }));
    }
  }
});
