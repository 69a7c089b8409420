/**
 * Build dist/ once before the tests: CLI tests run the real `ramparse` binary as a user would.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './helpers/fixtures.js';

export default function setup(): void {
  execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.build.json')], { stdio: 'inherit' });
}
