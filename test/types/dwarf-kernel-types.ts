/**
 * The kernel types the plugins use, and a DWARF-vs-BTF comparison over them for one vmlinux.
 */
import type { BtfRegistry } from '../../core/types/btf.js';
import type { DwarfRegistry } from '../../core/types/dwarf/index.js';
import { compareNamedType } from './dwarf-compare.js';

/** Types every supported kernel has: missing from either source is a failure. */
export const REQUIRED_TYPES = [
  'struct page',
  'struct list_head',
  'struct pglist_data',
  'struct zone',
  'struct free_area',
  'struct kmem_cache',
  'struct kmem_cache_node',
  'struct task_struct',
  'struct pid',
  'struct signal_struct',
  'struct mm_struct',
  'struct module',
  'struct mod_kallsyms',
  'struct new_utsname',
  'struct uts_namespace',
  'enum pageflags',
  'enum migratetype',
  'enum zone_type',
];

/**
 * Types that depend on the kernel version or config (page_owner, slub, memcg, sparsemem, folios,
 * module_memory since 6.4 vs module_layout before): when one source has them, both must, and agree.
 */
export const OPTIONAL_TYPES = [
  'struct page_ext',
  'struct page_ext_operations',
  'struct page_owner',
  'struct stack_record',
  'union handle_parts',
  'struct mem_section',
  'struct kmem_cache_cpu',
  'struct slab',
  'struct kmem_cache_order_objects',
  'struct module_memory',
  'struct module_layout',
  'struct cgroup',
  'struct cgroup_subsys_state',
  'struct mem_cgroup',
  'struct obj_cgroup',
  'struct kernfs_node',
  'struct track',
  'struct folio',
  'enum page_ext_flags',
  'enum migrate_reason',
];

export interface KernelComparison {
  compared: string[];
  absentFromBoth: string[];
  diffs: string[];
}

export function compareKernelTypes(btf: BtfRegistry, dwarf: DwarfRegistry): KernelComparison {
  const result: KernelComparison = { compared: [], absentFromBoth: [], diffs: [] };
  for (const name of [...REQUIRED_TYPES, ...OPTIONAL_TYPES]) {
    const inBtf = btf.lookup(name) !== undefined;
    const inDwarf = dwarf.lookup(name) !== undefined;
    if (!inBtf && !inDwarf && OPTIONAL_TYPES.includes(name)) {
      result.absentFromBoth.push(name);
      continue;
    }
    result.compared.push(name);
    result.diffs.push(...compareNamedType(btf, dwarf, name));
  }
  if (!result.compared.includes('struct module_memory') && !result.compared.includes('struct module_layout')) {
    result.diffs.push('neither struct module_memory nor struct module_layout exists');
  }
  return result;
}

/** Enumerators the plugins read; compared between the sources when BTF has them. */
export const ENUMERATORS = ['PG_locked', 'PG_slab', 'PG_head', 'MIGRATE_MOVABLE', 'MIGRATE_TYPES', 'ZONE_NORMAL', 'MAX_NR_ZONES', 'PAGE_EXT_OWNER', 'MR_COMPACTION', 'NR_PAGEFLAGS'];
