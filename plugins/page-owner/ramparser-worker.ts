/**
 * Worker thread for ramparser's page_tracking.txt and page_frequency.txt: it opens the same dump
 * itself and writes those two files while the main thread writes page_owner.txt and the rest, so a
 * large dump uses both cores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { closeKernel, openKernel, type OpenKernelRequest } from '../../core/kernel/open.js';
import { OutputManager } from '../../core/plugin/output.js';
import { setLogLevel } from '../../core/util/log.js';
import { writeRamparserFiles, type RecordFilter } from './ramparser-files.js';

export interface RamparserJob {
  readonly request: OpenKernelRequest;
  readonly outdir: string | undefined;
  readonly filter: RecordFilter;
}

const job = workerData as RamparserJob;
// The main thread reports the dump's warnings; the same walk here would only repeat them.
setLogLevel('silent');
const kernel = await openKernel(job.request);
try {
  const out = new OutputManager(job.outdir, 'text', false);
  writeRamparserFiles(kernel, job.filter, out.file('page_tracking.txt'), out.file('page_frequency.txt'));
  out.closeAll();
} finally {
  closeKernel(kernel);
}
parentPort?.postMessage('done');
