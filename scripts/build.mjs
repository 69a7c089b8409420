#!/usr/bin/env node
// npm run build (and npm ci via prepare, and the test setup): compile to dist/ and make the CLI
// entry executable, which tsc does not, so `npx ramparse` works.
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.build.json')], { stdio: 'inherit' });
chmodSync(join(REPO, 'dist/core/cli/bin.js'), 0o755);
