/**
 * The ramparse command line (ramparser-compatible option names).
 */
import { Command, Option } from 'commander';
import { closeKernel, openKernel } from '../kernel/open.js';
import type { Plugin } from '../plugin/api.js';
import { PluginRegistry, runPlugins } from '../plugin/host.js';
import { OutputManager, type OutputFormat } from '../plugin/output.js';
import type { RamFileSpec } from '../dump/raw.js';
import { RamparseError } from '../util/errors.js';
import { parseAddress } from '../util/hex.js';
import { log, setLogLevel } from '../util/log.js';
import { builtinPlugins } from './builtin-plugins.js';

const EXAMPLES = `
Examples:
  # What is in this dump? (arch, release, KASLR, memory ranges, tasks)
  $ ramparse --info dump.bin --vmlinux vmlinux

  # page_owner as /sys/kernel/debug/page_owner printed it, plus sorted and per-process summaries
  $ ramparse --print-pagetracking dump.bin --vmlinux vmlinux -o out/

  # The same from a QEMU/kdump ELF vmcore, or a raw image at a known physical base
  $ ramparse --print-pagetracking vmcore.elf --vmlinux vmlinux
  $ ramparse --print-pagetracking dump.bin@0x40000000 --vmlinux vmlinux

  # Qualcomm split dump (ramparser style)
  $ ramparse --slabinfo --ram-file DDRCS0_0.BIN 0x80000000 0xbfffffff \\
                      --ram-file DDRCS1_0.BIN 0xc0000000 0xffffffff --vmlinux vmlinux
  $ ramparse -x --auto-dump /path/to/dump_dir --vmlinux vmlinux

  # Task list as JSON; every plugin; third-party plugins
  $ ramparse --ps vmcore.elf --vmlinux vmlinux --format json
  $ ramparse -x vmcore.elf --vmlinux vmlinux -o report/
  $ ramparse --plugin-dir ./my-plugins --my-flag vmcore.elf --vmlinux vmlinux

Plugin help: ramparse help <plugin-flag>   (e.g. ramparse help print-pagetracking)
`;

interface CliOptions {
  vmlinux?: string;
  ramFile?: string[];
  autoDump?: string;
  outdir?: string;
  kaslrOffset?: string;
  physOffset?: string;
  everything?: boolean;
  format: string;
  logLevel: string;
  quiet?: boolean;
  types: string;
  pluginDir?: string[];
  stdout?: boolean;
  [key: string]: unknown;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function buildProgram(registry: PluginRegistry): Command {
  const program = new Command('ramparse')
    .description('Rebuild, offline, what the live kernel would have shown, from a RAM dump and its vmlinux.')
    .usage('[plugin flags] [options] DUMP... --vmlinux VMLINUX')
    .argument('[dumps...]', 'dump files: raw dump.bin, dump.bin@0xBASE, ELF vmcore, kdump-compressed, or a Qualcomm dump dir')
    .option('--vmlinux <file>', 'vmlinux of the dumped kernel (with .symtab, and .BTF or DWARF)')
    .option('--ram-file <file start end...>', 'a physical RAM range backed by a file (repeatable, ramparser syntax)')
    .option('--auto-dump <dir>', 'Qualcomm dump directory (DDRCS*.BIN with load.cmm or dump_info.txt)')
    .option('-o, --outdir <dir>', 'write reports into this directory (default ./ramparse-out for file reports)')
    .option('--stdout', 'print reports to stdout instead of files')
    .option('--kaslr-offset <hex>', 'override the detected KASLR offset')
    .option('--phys-offset <hex>', 'override arm64 PHYS_OFFSET (memstart_addr) / x86_64 phys_base')
    .option('-x, --everything', 'run every non-optional plugin')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'csv']).default('text'))
    .addOption(new Option('--types <source>', 'type information source').choices(['auto', 'btf', 'dwarf']).default('auto'))
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
    .option('-q, --quiet', 'no progress output')
    .option('--plugin-dir <dir>', 'load third-party plugins from this directory (repeatable)', collect)
    .addHelpText('after', () => pluginHelp(registry) + EXAMPLES)
    .showSuggestionAfterError()
    .allowExcessArguments(false);
  for (const p of registry.all()) {
    program.option(`--${p.flag}`, p.description + (p.optional ? ' (optional: not run by -x)' : ''));
    for (const o of p.options ?? []) {
      const opt = new Option(o.flags, `[--${p.flag}] ${o.description}`);
      if (o.defaultValue !== undefined) opt.default(o.defaultValue);
      program.addOption(opt);
    }
  }
  return program;
}

function pluginHelp(registry: PluginRegistry): string {
  const lines = ['', 'Plugins:'];
  for (const p of registry.all()) lines.push(`  --${p.flag.padEnd(24)} ${p.description}`);
  return lines.join('\n') + '\n';
}

function camel(flag: string): string {
  return flag.replace(/^--(no-)?/, '').split(/[ <[]/)[0]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function parseRamFiles(values: string[] | undefined): RamFileSpec[] {
  if (!values || values.length === 0) return [];
  if (values.length % 3 !== 0) throw new RamparseError('--ram-file takes three values each time: FILE START END');
  const specs: RamFileSpec[] = [];
  for (let i = 0; i < values.length; i += 3) {
    try {
      specs.push({ path: values[i]!, start: parseAddress(values[i + 1]!), end: parseAddress(values[i + 2]!) });
    } catch {
      throw new RamparseError(`--ram-file ${values.slice(i, i + 3).join(' ')}: START and END must be numbers (e.g. 0x80000000)`);
    }
  }
  return specs;
}

function parseOptionalAddress(name: string, v: string | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  try {
    return BigInt.asUintN(64, v.startsWith('-') ? -parseAddress(v.slice(1)) : parseAddress(v));
  } catch {
    throw new RamparseError(`${name} ${v}: not a number`);
  }
}

/** Pre-scan argv for --plugin-dir so plugin flags exist before parsing. */
function pluginDirsFromArgv(argv: string[]): string[] {
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--plugin-dir' && argv[i + 1]) dirs.push(argv[i + 1]!);
    else if (argv[i]!.startsWith('--plugin-dir=')) dirs.push(argv[i]!.slice('--plugin-dir='.length));
  }
  return dirs;
}

export async function main(argv: string[]): Promise<number> {
  const registry = new PluginRegistry();
  for (const p of builtinPlugins) registry.register(p);
  for (const d of pluginDirsFromArgv(argv)) await registry.loadDirectory(d);

  if (argv[0] === 'help' && argv[1]) {
    const p = registry.byFlag(argv[1].replace(/^--/, ''));
    if (!p) throw new RamparseError(`no plugin with flag --${argv[1].replace(/^--/, '')}; see ramparse --help`);
    process.stdout.write(`--${p.flag}: ${p.description}\n\n${p.help ?? ''}\n`);
    if (p.options?.length) {
      process.stdout.write('\nOPTIONS\n' + p.options.map((o) => `  ${o.flags.padEnd(28)} ${o.description}`).join('\n') + '\n');
    }
    return 0;
  }

  const program = buildProgram(registry);
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return typeof code === 'number' ? code : 2;
  }
  const opts = program.opts<CliOptions>();
  setLogLevel(opts.logLevel);

  const selected: Plugin[] = registry.all().filter((p) => opts[camel(`--${p.flag}`)] === true || (opts.everything && !p.optional));
  if (selected.length === 0) {
    throw new RamparseError('nothing to do: choose a plugin (e.g. --info, --ps, --print-pagetracking) or -x; see ramparse --help');
  }
  const kernel = await openKernel({
    paths: program.args,
    ramFiles: parseRamFiles(opts.ramFile),
    autoDumpDir: opts.autoDump,
    vmlinux: opts.vmlinux ?? '',
    types: opts.types as 'auto' | 'btf' | 'dwarf',
    kaslrOffset: parseOptionalAddress('--kaslr-offset', opts.kaslrOffset),
    physOffset: parseOptionalAddress('--phys-offset', opts.physOffset),
  });
  try {
    const options = new Map<string, Record<string, unknown>>();
    for (const p of registry.all()) {
      const mine: Record<string, unknown> = {};
      for (const o of p.options ?? []) mine[camel(o.flags)] = opts[camel(o.flags)];
      options.set(p.name, mine);
    }
    const out = new OutputManager(opts.outdir, opts.format as OutputFormat, opts.stdout === true);
    const outcomes = await runPlugins(kernel, selected, { out, quiet: opts.quiet === true || !process.stderr.isTTY, options });
    let failed = false;
    for (const o of outcomes) {
      if (o.status === 'ok') continue;
      const p = registry.all().find((q) => q.name === o.plugin)!;
      const explicit = opts[camel(`--${p.flag}`)] === true;
      if (o.status === 'failed' || explicit) failed = true;
      process.stderr.write(`ramparse: --${p.flag} ${o.status === 'skipped' ? 'skipped' : 'failed'}: ${o.reasons.join('; ')}\n`);
    }
    if (out.written.length && !opts.quiet) log().info(`wrote ${out.written.join(', ')}`);
    return failed ? 1 : 0;
  } finally {
    closeKernel(kernel);
  }
}

export async function cli(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (e) {
    if (e instanceof RamparseError) {
      process.stderr.write(`ramparse: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    const err = e as Error;
    process.stderr.write(`ramparse: internal error: ${err.message} (rerun with --log-level debug for a stack trace)\n`);
    log().debug({ err }, 'internal error');
    process.exitCode = 70;
  }
}
