/**
 * VMCOREINFO: the "KEY=VALUE" text the kernel prepares for crash tools (kernel/crash_core.c,
 * kernel/vmcore_info.c since 6.9, plus arch_crash_save_vmcoreinfo). It arrives as an ELF note, in a
 * kdump sub-header, or is found by scanning memory for the page the kernel keeps it in.
 *
 * Value formats are the kernel's: SYMBOL() and KERNELOFFSET are %lx without 0x; NUMBER() is %ld
 * except where an arch prints 0x%llx (arm64 kimage_voffset, PHYS_OFFSET, KERNELPACMASK).
 */
export class VmcoreInfo {
  readonly entries = new Map<string, string>();

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      this.entries.set(line.slice(0, eq), line.slice(eq + 1).trim());
    }
  }

  get osRelease(): string | undefined {
    return this.entries.get('OSRELEASE');
  }

  get pageSize(): number | undefined {
    const v = this.entries.get('PAGESIZE');
    return v ? Number(v) : undefined;
  }

  get kernelOffset(): bigint | undefined {
    const v = this.entries.get('KERNELOFFSET');
    return v ? BigInt('0x' + v) : undefined;
  }

  symbol(name: string): bigint | undefined {
    const v = this.entries.get(`SYMBOL(${name})`);
    return v ? BigInt('0x' + v) : undefined;
  }

  number(name: string): bigint | undefined {
    const v = this.entries.get(`NUMBER(${name})`);
    if (v === undefined) return undefined;
    if (/^-?0x/i.test(v)) return v.startsWith('-') ? -BigInt(v.slice(1)) : BigInt(v);
    return /^-?\d+$/.test(v) ? BigInt(v) : undefined;
  }

  offset(name: string): number | undefined {
    const v = this.entries.get(`OFFSET(${name})`);
    return v ? Number(v) : undefined;
  }

  size(name: string): number | undefined {
    const v = this.entries.get(`SIZE(${name})`);
    return v ? Number(v) : undefined;
  }

  /** A plausible vmcoreinfo has at least OSRELEASE and PAGESIZE. */
  static looksValid(text: string): boolean {
    return /^OSRELEASE=\S+\n/.test(text) && /\nPAGESIZE=\d+\n/.test(text);
  }
}
