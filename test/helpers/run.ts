/**
 * Run the built ramparse CLI (dist/core/cli/bin.js) the way a user does, capturing exit code,
 * stdout and stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './fixtures.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function ramparse(args: readonly string[], opts: { timeoutMs?: number } = {}): RunResult {
  const r = spawnSync(process.execPath, [join(REPO, 'dist/core/cli/bin.js'), ...args], {
    encoding: 'latin1',
    maxBuffer: 1 << 30,
    timeout: opts.timeoutMs ?? 300_000,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'ramparse-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function readOut(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'latin1');
}
