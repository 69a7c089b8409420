/**
 * Open everything for one run: the dump, the vmlinux, its types, locate the kernel, and build the
 * kernel model. Closes what it opened when something fails.
 */
import { locateKernel, type LocateOptions } from '../arch/locate.js';
import { openDump, type DumpRequest } from '../dump/open.js';
import type { OpenedDump } from '../dump/types.js';
import { Vmlinux } from '../symbols/vmlinux.js';
import { openTypeRegistry, type TypeSourceChoice } from '../types/open.js';
import { RamparseError } from '../util/errors.js';
import { Kernel } from './kernel.js';

export interface OpenKernelRequest extends DumpRequest, LocateOptions {
  readonly vmlinux: string;
  readonly types?: TypeSourceChoice;
}

export async function openKernel(req: OpenKernelRequest): Promise<Kernel> {
  if (!req.vmlinux) throw new RamparseError('no vmlinux given: pass --vmlinux FILE (the exact vmlinux of the dumped kernel)');
  const vmlinux = new Vmlinux(req.vmlinux);
  let dump: OpenedDump | undefined;
  try {
    dump = openDump(req);
    const located = locateKernel(dump, vmlinux, { kaslrOffset: req.kaslrOffset, physOffset: req.physOffset });
    const registry = await openTypeRegistry(vmlinux.elf, req.types ?? 'auto');
    const kernel = new Kernel(vmlinux, located, registry, dump);
    kernel.openRequest = req;
    return kernel;
  } catch (e) {
    dump?.close();
    vmlinux.close();
    throw e;
  }
}

export function closeKernel(k: Kernel): void {
  k.dump.close();
  k.vmlinux.close();
}
