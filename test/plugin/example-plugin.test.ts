/**
 * The worked example of docs/plugin-authoring.md (docs/examples/plugins/lsmod.mjs) loads through
 * --plugin-dir and agrees with the live /proc/modules of every fixture.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureFile, fixtureSets, fixtureText, REPO } from '../helpers/fixtures.js';
import { ramparse, tempDir } from '../helpers/run.js';

const PLUGIN_DIR = join(REPO, 'docs/examples/plugins');

describe('third-party plugin: docs/examples/plugins/lsmod.mjs', () => {
  for (const set of fixtureSets()) {
    it(`${set}: matches the live /proc/modules`, () => {
      const r = ramparse(['--plugin-dir', PLUGIN_DIR, '--lsmod', fixtureFile(set, 'vmcore.elf'), '--vmlinux', fixtureFile(set, 'vmlinux'), '--format', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const ours = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { Module: string; Size: number; Used: number; State: string });
      // /proc/modules: "name size refcount deps state address"
      const live = fixtureText(set, 'live/modules.txt').trim().split('\n').map((l) => l.split(' '));
      expect(ours.map((m) => [m.Module, String(m.Size), String(m.Used), m.State])).toEqual(live.map((f) => [f[0], f[1], f[2], f[4]]));
    });
  }

  it('npx ramparse runs the installed CLI', () => {
    const r = spawnSync('npx', ['ramparse', '--help'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: ramparse /);
    expect(r.stdout).toContain('Examples:');
  });

  it('is listed in --help once loaded', () => {
    const r = ramparse(['--plugin-dir', PLUGIN_DIR, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--lsmod\s+loaded modules like lsmod/);
  });

  it('a plugin directory with a broken plugin is one clear error', () => {
    const dir = tempDir();
    const file = join(dir, 'broken.mjs');
    writeFileSync(file, 'export default { name: "x" };\n');
    const r = ramparse(['--plugin-dir', dir, '--help']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`ramparse: ${file}: default export is not a plugin (needs name, flag, description, apiVersion, run)`);
  });
});
