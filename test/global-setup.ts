/**
 * Build dist/ once before the tests (the same build as npm run build): CLI tests run the real
 * `ramparse` binary as a user would.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './helpers/fixtures.js';

export default function setup(): void {
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { stdio: 'inherit' });
}
