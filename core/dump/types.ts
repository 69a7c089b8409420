import type { PhysicalMemory } from './physical-memory.js';

export type DumpFormat = 'raw' | 'elf' | 'kdump' | 'ram-files' | 'qcom';

/** What a dump reader hands to the rest of ramparse. */
export interface OpenedDump {
  readonly memory: PhysicalMemory;
  readonly format: DumpFormat;
  /** Input files, for messages. */
  readonly files: readonly string[];
  /**
   * False for a raw image given without a base: its ranges start at 0 provisionally and the
   * kernel locator rebases them once it finds the kernel's own view of physical memory.
   */
  readonly baseKnown: boolean;
  /** VMCOREINFO text carried by the container (ELF note, kdump sub-header), when present. */
  readonly vmcoreinfo?: string;
  /** Architecture named by the container (ELF e_machine, kdump utsname.machine). */
  readonly machine?: 'x86_64' | 'arm64';
  /** Page size the container declares (kdump block size), when it declares one. */
  readonly containerPageSize?: number;
  close(): void;
}
