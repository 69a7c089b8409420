/**
 * --ps: the task list, like `ps -eT`/crash `ps`: every thread with pid, tgid, parent, state and comm,
 * from init_task's list in the dump.
 */
import type { Plugin } from '../../core/plugin/api.js';
import { listTasks } from '../../core/kernel/tasks.js';

export const psPlugin: Plugin = {
  apiVersion: 1,
  name: 'ps',
  flag: 'ps',
  description: 'task list (pid, tgid, ppid, state, comm) from init_task',
  stdoutByDefault: true,
  help: `SYNOPSIS
  ramparse --ps DUMP --vmlinux VMLINUX [--format text|json|csv] [-o OUTDIR]

Walks init_task.tasks and each thread group's signal->thread_head list, so every
thread is listed (the idle task of CPU 0 too, as pid 0). COMM is the name
/proc/<pid>/status shows (proc_task_name()): kthreads by their full name,
workqueue workers with their last work's description ("kworker/0:1-events").
Kernel threads show in [brackets] like ps does.

EXAMPLE (the x86_64-6.1 fixture)
  $ ramparse --ps vmcore.elf --vmlinux vmlinux | head -4
       PID    TGID    PPID ST COMM
         0       0       0 R  [swapper/0]
         1       1       0 S  rpcapture
         2       2       0 S  [kthreadd]`,
  requires: {
    symbols: ['init_task'],
    members: [
      ['struct task_struct', 'tasks'],
      ['struct task_struct', 'pid'],
      ['struct task_struct', 'tgid'],
      ['struct task_struct', 'comm'],
    ],
  },
  run(ctx) {
    const rows = ctx.out.table('ps', [
      { name: 'PID', width: 8 },
      { name: 'TGID', width: 7 },
      { name: 'PPID', width: 7 },
      { name: 'ST', width: -2 },
      { name: 'COMM' },
    ], true);
    for (const t of listTasks(ctx.kernel)) {
      const name = ctx.format === 'text' && t.kernelThread ? `[${t.name}]` : t.name;
      rows.add([t.pid, t.tgid, t.ppid, t.state, name]);
    }
    rows.end();
  },
};

export default psPlugin;
