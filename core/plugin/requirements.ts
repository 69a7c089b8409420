/**
 * Check a plugin's declared requirements against a kernel and explain what is missing in words a
 * user can act on.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Requirements } from './api.js';

export function missingRequirements(kernel: Kernel, req: Requirements | undefined): string[] {
  if (!req) return [];
  const missing: string[] = [];
  for (const s of req.symbols ?? []) {
    if (!kernel.hasSymbol(s)) missing.push(`symbol ${s} is not in the vmlinux`);
  }
  for (const group of req.anySymbol ?? []) {
    if (!group.some((s) => kernel.hasSymbol(s))) missing.push(`none of the symbols ${group.join(', ')} is in the vmlinux`);
  }
  for (const t of req.types ?? []) {
    if (!kernel.hasType(t)) missing.push(`type ${t} is not in the ${kernel.types.registry.source.toUpperCase()} type info`);
  }
  for (const [t, m] of req.members ?? []) {
    if (!kernel.hasType(t)) missing.push(`type ${t} is not in the type info`);
    else if (!kernel.hasMember(t, m)) missing.push(`${t} has no member ${m}`);
  }
  if (kernel.config) {
    for (const c of req.config ?? []) {
      const name = c.startsWith('CONFIG_') ? c : `CONFIG_${c}`;
      const v = kernel.config.get(name);
      if (v !== 'y' && v !== 'm') missing.push(`${name} is not enabled in this kernel`);
    }
  }
  if (req.check) missing.push(...req.check(kernel));
  return missing;
}
