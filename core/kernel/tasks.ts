/**
 * Tasks (include/linux/sched.h, kernel/pid.c): every thread of every process, from init_task.
 * Mirrors drgn's for_each_task: walk init_task.tasks (thread-group leaders), then each leader's
 * signal->thread_head list (thread_node, since 3.14; the older task->thread_group list was removed in 6.7).
 */
import type { Kernel } from './kernel.js';
import type { KObject } from './object.js';

export interface TaskInfo {
  readonly address: bigint;
  readonly pid: number;
  readonly tgid: number;
  /** task->comm (at most 15 characters). */
  readonly comm: string;
  /** The name /proc/<pid>/status and ps show (proc_task_name()): full kthread names, "kworker/0:1-events". */
  readonly name: string;
  /** One of "RSDTtXZPI", as /proc/<pid>/status prints it. */
  readonly state: string;
  readonly ppid: number;
  /** True for kernel threads (no mm). */
  readonly kernelThread: boolean;
  readonly task: KObject;
}

/** Report-state letters in fls() order (fs/proc/array.c task_state_array). */
const STATE_CHARS = 'RSDTtXZPI';
const TASK_REPORT = 0x7f;
const TASK_REPORT_IDLE = 0x80;
const TASK_UNINTERRUPTIBLE = 0x2;
const TASK_NOLOAD = 0x400;
const TASK_RTLOCK_WAIT = 0x1000;

export function taskStateChar(state: number, exitState: number): string {
  let s = (state | exitState) & TASK_REPORT;
  if ((state & (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)) === (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)) s = TASK_REPORT_IDLE;
  if (state & TASK_RTLOCK_WAIT) s = TASK_UNINTERRUPTIBLE;
  const idx = s === 0 ? 0 : 32 - Math.clz32(s);
  return STATE_CHARS[idx] ?? '?';
}

/** Addresses of all task_structs: thread-group leaders and their threads. */
export function* forEachTaskAddress(kernel: Kernel): Generator<bigint> {
  const initTask = kernel.symbol('init_task');
  const T = 'struct task_struct';
  const hasThreadNode = kernel.hasMember(T, 'thread_node') && kernel.hasMember('struct signal_struct', 'thread_head');
  const leaders = [initTask, ...kernel.listForEach(initTask + BigInt(kernel.offsetof(T, 'tasks')), T, 'tasks', { what: 'init_task.tasks' })];
  for (const leader of leaders) {
    if (!hasThreadNode) {
      yield leader;
      const groupHead = leader + BigInt(kernel.offsetof(T, 'thread_group'));
      yield* kernel.listForEach(groupHead, T, 'thread_group', { what: `thread_group of task 0x${leader.toString(16)}` });
      continue;
    }
    const signal = kernel.readPointer(leader + BigInt(kernel.offsetof(T, 'signal')));
    if (signal === 0n) {
      yield leader;
      continue;
    }
    const head = signal + BigInt(kernel.offsetof('struct signal_struct', 'thread_head'));
    let any = false;
    for (const t of kernel.listForEach(head, T, 'thread_node', { what: `threads of task 0x${leader.toString(16)}` })) {
      any = true;
      yield t;
    }
    if (!any) yield leader;
  }
}

export function taskInfo(kernel: Kernel, address: bigint): TaskInfo {
  const task = kernel.object('struct task_struct', address);
  const stateField = task.has('__state') ? '__state' : 'state';
  const state = Number(BigInt.asUintN(32, task.value(stateField)));
  const exitState = task.num('exit_state');
  const parent = task.ptr('real_parent');
  let ppid = 0;
  if (parent !== 0n && parent !== address) {
    try {
      ppid = kernel.object('struct task_struct', parent).num('pid');
    } catch {
      ppid = -1;
    }
  }
  const comm = task.str('comm');
  return {
    address,
    pid: task.num('pid'),
    tgid: task.num('tgid'),
    comm,
    name: procTaskName(kernel, task, comm),
    state: taskStateChar(state, exitState),
    ppid,
    kernelThread: task.ptr('mm') === 0n,
    task,
  };
}

const PF_WQ_WORKER = 0x20;
const PF_KTHREAD = 0x00200000;
const PROC_NAME_LEN = 63; // char tcomm[64] in proc_task_name()

/** to_kthread(): task->worker_private since 5.17, task->set_child_tid before. */
function kthreadOf(task: KObject): bigint {
  if (task.has('worker_private')) return task.ptr('worker_private');
  return task.has('set_child_tid') ? task.ptr('set_child_tid') : 0n;
}

/**
 * proc_task_name() (fs/proc/array.c): workqueue workers get "-desc"/"+desc" after their name
 * (wq_worker_comm()), other kthreads their untruncated kthread->full_name (5.17+), others comm.
 */
export function procTaskName(kernel: Kernel, task: KObject, comm: string): string {
  try {
    const flags = task.num('flags');
    if (flags & PF_WQ_WORKER) return workerName(kernel, task, comm).slice(0, PROC_NAME_LEN);
    if (flags & PF_KTHREAD && kernel.hasMember('struct kthread', 'full_name')) {
      const kt = kthreadOf(task);
      if (kt !== 0n) {
        const full = kernel.object('struct kthread', kt).ptr('full_name');
        if (full !== 0n) return kernel.readCString(full, PROC_NAME_LEN);
      }
    }
  } catch {
    // fall back to comm when the kthread/worker structures are unreadable
  }
  return comm;
}

function workerName(kernel: Kernel, task: KObject, comm: string): string {
  const kt = kthreadOf(task);
  if (kt === 0n || !kernel.hasType('struct worker')) return comm;
  const worker = kernel.object('struct worker', kernel.object('struct kthread', kt).ptr('data'));
  const pool = worker.deref('pool');
  let name = comm;
  // 6.10+ formats the id from the pool (format_worker_id()) instead of copying task->comm.
  if (kernel.versionAtLeast(6, 10)) {
    const rescue = worker.has('rescue_wq') ? worker.deref('rescue_wq') : undefined;
    if (rescue) name = `kworker/R-${rescue.str('name')}`;
    else if (!pool) name = 'kworker/dying';
    else {
      const cpu = pool.num('cpu');
      const nice = pool.deref('attrs')?.num('nice') ?? 0;
      name = cpu >= 0 ? `kworker/${cpu}:${worker.num('id')}${nice < 0 ? 'H' : ''}` : `kworker/u${pool.num('id')}:${worker.num('id')}`;
    }
  }
  if (pool) {
    const desc = worker.str('desc');
    if (desc) name += `${worker.ptr('current_work') !== 0n ? '+' : '-'}${desc}`;
  }
  return name;
}

export function listTasks(kernel: Kernel): TaskInfo[] {
  const out: TaskInfo[] = [];
  for (const a of forEachTaskAddress(kernel)) {
    try {
      out.push(taskInfo(kernel, a));
    } catch (e) {
      kernel.warn(`task_struct at 0x${a.toString(16)} unreadable (${(e as Error).message}); skipped`);
    }
  }
  return out;
}
