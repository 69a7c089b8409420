/**
 * DWARF vs BTF on a distribution kernel given by path (not committed: Debian's
 * linux-image-*-dbg vmlinux is ~600 MB). Run with
 *   RAMPARSE_DWARF_VMLINUX=/work/lab-work/dbg/vmlinux-6.1.0-54-amd64 npx vitest run test/types/dwarf-distro-kernel.test.ts
 */
import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { defineKernelChecks } from './dwarf-kernel-suite.js';

const path = process.env.RAMPARSE_DWARF_VMLINUX;

describe.runIf(path !== undefined && path !== '')('DWARF type source on a distribution kernel', () => {
  defineKernelChecks(`RAMPARSE_DWARF_VMLINUX=${path}`, () => {
    if (!existsSync(path!)) throw new Error(`RAMPARSE_DWARF_VMLINUX=${path} does not exist`);
    return path!;
  }, { exhaustiveAgreement: 0.99 });
});
