/**
 * Default stack categories for page_owner_summary.txt (from the field workflow: which kernel entry
 * points a stack passes through tells who the memory is for). A record belongs to the first rule whose
 * function names appear among its frames. --categories FILE adds rules (same JSON shape) tried first.
 */
import type { CategoryRule } from './summary.js';

export const DEFAULT_CATEGORY_RULES: readonly CategoryRule[] = [
  { name: 'dma-buf heap', frames: ['dma_heap_ioctl', 'system_heap_allocate', 'dma_heap_buffer_alloc', 'cam_mem_mgr_alloc_and_map'] },
  { name: 'camera (v4l2)', frames: ['cam_private_ioctl', 'v4l2_ioctl'] },
  { name: 'EVA (cvp)', frames: ['cvp_unblocked_ioctl'] },
  { name: 'GPU (kgsl)', frames: ['kgsl_ioctl', 'kgsl_ioctl_gpuobj_alloc', 'gpumem_alloc_entry'] },
  { name: 'DSP RPC (fastrpc)', frames: ['fastrpc_device_ioctl', 'fastrpc_buf_alloc'] },
  { name: 'binder', frames: ['binder_ioctl'] },
  { name: 'ashmem', frames: ['ashmem_ioctl'] },
  { name: 'IOMMU page tables', frames: ['__arm_lpae_map'] },
  { name: 'reclaim / zram', frames: ['try_to_free_pages', 'zs_malloc', 'zram_bvec_write'] },
  { name: 'process creation', frames: ['copy_process', '__arm64_sys_execve', '__x64_sys_execve', 'do_execveat_common', 'kernel_clone'] },
  { name: 'mmap family', frames: ['ksys_mmap_pgoff', '__arm64_sys_mremap', '__arm64_sys_munmap', '__arm64_sys_mprotect', '__x64_sys_mremap', '__x64_sys_munmap', '__x64_sys_mprotect', 'do_mmap'] },
  { name: 'user page fault', frames: ['do_page_fault', 'handle_mm_fault', 'exc_page_fault', 'do_anonymous_page'] },
  { name: 'file I/O (page cache)', frames: ['ksys_read', 'ksys_write', 'do_writev', 'vfs_write', 'vfs_read', 'filemap_read', 'generic_perform_write', 'shmem_write_begin'] },
  { name: 'slab', frames: ['allocate_slab', 'new_slab', '___slab_alloc', 'kmalloc_large', 'kmalloc_large_node', '__kmalloc_large_node'] },
  { name: 'vmalloc', frames: ['__vmalloc_node_range', '__vmalloc_area_node', 'vmalloc'] },
  { name: 'page tables', frames: ['__pte_alloc', '__pmd_alloc', '__pud_alloc', 'pte_alloc_one', 'pgd_alloc'] },
  { name: 'module load', frames: ['load_module', 'do_init_module', 'module_alloc'] },
  { name: 'boot / early init', frames: ['start_kernel', 'kernel_init', 'do_one_initcall', 'mm_core_init'] },
];
