/**
 * The plugin API (version 1). A plugin declares what it needs; the host checks that before running
 * it, and a plugin that cannot run is reported without stopping the others. Plugins see the kernel
 * model only (symbols, typed objects, mm walkers), never files or physical offsets.
 *
 * Third-party plugins are ESM files exporting `default` (a Plugin or an array of them); they receive
 * everything through PluginContext, so they import nothing from ramparse.
 */
import type { Logger } from 'pino';
import type { Kernel } from '../kernel/kernel.js';
import type { Progress } from '../util/progress.js';
import type { OutputFormat, OutputManager } from './output.js';

export const PLUGIN_API_VERSION = 1;

export interface PluginOption {
  /** Commander syntax: '--sort <keys>', '--slab-objects <name>', '--no-frames'. */
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: string | boolean;
}

export interface Requirements {
  /** Every one of these symbols must exist. */
  readonly symbols?: readonly string[];
  /** At least one symbol of each group must exist (e.g. [['stack_pools', 'stack_slabs']]). */
  readonly anySymbol?: readonly (readonly string[])[];
  /** Types in C spelling: 'struct page_owner'. */
  readonly types?: readonly string[];
  /** [type, member] pairs. */
  readonly members?: readonly (readonly [string, string])[];
  /** CONFIG_ options that must be y, checked only when the kernel's config is known (IKCONFIG). */
  readonly config?: readonly string[];
  /** Arbitrary check: return a list of human-readable reasons it cannot run (empty = fine). */
  readonly check?: (kernel: Kernel) => string[];
}

export interface PluginContext {
  readonly kernel: Kernel;
  /** Values of this plugin's options, keyed by commander's camelCase name. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly out: OutputManager;
  readonly format: OutputFormat;
  readonly log: Logger;
  readonly quiet: boolean;
  progress(label: string, total: number): Progress;
  /** Note something skipped or partial; printed on stderr and summarised at the end of the run. */
  warn(message: string): void;
}

export interface Plugin {
  readonly apiVersion: number;
  /** Short identifier: 'ps', 'page_owner'. */
  readonly name: string;
  /** CLI flag without dashes: 'ps', 'print-pagetracking'. */
  readonly flag: string;
  /** One line for --help. */
  readonly description: string;
  /** Longer help: synopsis, options, examples (shown by `ramparse help <flag>`). */
  readonly help?: string;
  /** Not run by -x/--everything (expensive or niche). */
  readonly optional?: boolean;
  /** Prints to stdout unless -o is given (small reports), instead of files in the output dir. */
  readonly stdoutByDefault?: boolean;
  readonly options?: readonly PluginOption[];
  readonly requires?: Requirements;
  run(ctx: PluginContext): void | Promise<void>;
}
