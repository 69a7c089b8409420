/**
 * DWARF vs BTF on a distribution kernel given by path (not committed: Debian's
 * linux-image-*-dbg vmlinux is ~600 MB). A lab check, not part of `npm test`:
 *   RAMPARSE_DWARF_VMLINUX=/work/lab-work/dbg/.../vmlinux-6.1.0-54-amd64 npm run test:lab
 */
import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { defineKernelChecks } from './dwarf-kernel-suite.js';

const path = process.env.RAMPARSE_DWARF_VMLINUX;

describe('DWARF type source on a distribution kernel', () => {
  defineKernelChecks(`RAMPARSE_DWARF_VMLINUX=${path}`, () => {
    if (!path) throw new Error('set RAMPARSE_DWARF_VMLINUX to a distribution vmlinux with DWARF (see docs/dwarf.md)');
    if (!existsSync(path)) throw new Error(`RAMPARSE_DWARF_VMLINUX=${path} does not exist`);
    return path;
  }, { exhaustiveAgreement: 0.99 });
});
