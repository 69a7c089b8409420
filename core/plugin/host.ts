/**
 * Runs plugins against one kernel: requirement checks first, then each selected plugin in turn.
 * A plugin that cannot run, or fails, is reported with its reason; the others still run.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Kernel } from '../kernel/kernel.js';
import { RamparseError } from '../util/errors.js';
import { log } from '../util/log.js';
import { Progress } from '../util/progress.js';
import { PLUGIN_API_VERSION, type Plugin, type PluginContext } from './api.js';
import type { OutputManager } from './output.js';
import { missingRequirements } from './requirements.js';

export interface PluginOutcome {
  readonly plugin: string;
  readonly status: 'ok' | 'skipped' | 'failed';
  readonly reasons: readonly string[];
  readonly warnings: readonly string[];
}

export class PluginRegistry {
  private readonly plugins = new Map<string, Plugin>();

  register(p: Plugin): void {
    if (p.apiVersion !== PLUGIN_API_VERSION) {
      throw new RamparseError(`plugin ${p.name} targets plugin API ${p.apiVersion}; this ramparse provides ${PLUGIN_API_VERSION}`);
    }
    if (!/^[a-z][a-z0-9-]*$/.test(p.flag)) throw new RamparseError(`plugin ${p.name}: bad flag '${p.flag}'`);
    const clash = [...this.plugins.values()].find((q) => q.flag === p.flag || q.name === p.name);
    if (clash) throw new RamparseError(`plugin ${p.name} (--${p.flag}) clashes with plugin ${clash.name} (--${clash.flag})`);
    this.plugins.set(p.name, p);
  }

  all(): Plugin[] {
    return [...this.plugins.values()];
  }

  byFlag(flag: string): Plugin | undefined {
    return this.all().find((p) => p.flag === flag);
  }

  /** Load every .js/.mjs file of a directory as a plugin module (default export: Plugin | Plugin[]). */
  async loadDirectory(dir: string): Promise<Plugin[]> {
    const abs = resolve(dir);
    let entries: string[];
    try {
      entries = readdirSync(abs).filter((f) => /\.(m?js)$/.test(f) && statSync(join(abs, f)).isFile()).sort();
    } catch (e) {
      throw new RamparseError(`${dir}: cannot read plugin directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const loaded: Plugin[] = [];
    for (const f of entries) {
      const file = join(abs, f);
      let mod: { default?: Plugin | Plugin[] };
      try {
        mod = (await import(pathToFileURL(file).href)) as { default?: Plugin | Plugin[] };
      } catch (e) {
        throw new RamparseError(`${file}: cannot load plugin: ${(e as Error).message.split('\n')[0]}`);
      }
      const exported = mod.default;
      if (!exported) throw new RamparseError(`${file}: no default export (expected a plugin object or an array of them)`);
      for (const p of Array.isArray(exported) ? exported : [exported]) {
        if (typeof p?.run !== 'function' || typeof p.flag !== 'string' || typeof p.name !== 'string') {
          throw new RamparseError(`${file}: default export is not a plugin (needs name, flag, description, apiVersion, run)`);
        }
        this.register(p);
        loaded.push(p);
      }
    }
    return loaded;
  }
}

export interface RunSettings {
  readonly out: OutputManager;
  readonly quiet: boolean;
  /** Options per plugin name. */
  readonly options: ReadonlyMap<string, Record<string, unknown>>;
}

export async function runPlugins(kernel: Kernel, selected: readonly Plugin[], settings: RunSettings): Promise<PluginOutcome[]> {
  const outcomes: PluginOutcome[] = [];
  for (const plugin of selected) {
    const missing = missingRequirements(kernel, plugin.requires);
    if (missing.length) {
      log().warn({ plugin: plugin.name }, `--${plugin.flag} cannot run on this kernel: ${missing.join('; ')}`);
      outcomes.push({ plugin: plugin.name, status: 'skipped', reasons: missing, warnings: [] });
      continue;
    }
    const warnings: string[] = [];
    const before = kernel.warnings.length;
    const ctx: PluginContext = {
      kernel,
      options: settings.options.get(plugin.name) ?? {},
      out: settings.out,
      format: settings.out.format,
      log: log().child({ plugin: plugin.name }),
      quiet: settings.quiet,
      progress: (label, total) => new Progress(label, total, settings.quiet),
      warn: (m) => {
        warnings.push(m);
        log().warn({ plugin: plugin.name }, m);
      },
    };
    try {
      await plugin.run(ctx);
      settings.out.closeAll();
      warnings.push(...kernel.warnings.slice(before));
      outcomes.push({ plugin: plugin.name, status: 'ok', reasons: [], warnings });
    } catch (e) {
      settings.out.closeAll();
      const msg = e instanceof RamparseError ? e.message : `internal error: ${(e as Error).message}`;
      if (!(e instanceof RamparseError)) log().debug({ err: e }, 'plugin stack');
      log().error({ plugin: plugin.name }, `--${plugin.flag} failed: ${msg}`);
      outcomes.push({ plugin: plugin.name, status: 'failed', reasons: [msg], warnings });
    }
  }
  return outcomes;
}
