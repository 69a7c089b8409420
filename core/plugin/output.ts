/**
 * Where plugin output goes: named text files in the output directory, or stdout; tables rendered as
 * aligned text, JSON lines or CSV. Writes are buffered and synchronous (simple, and streaming: no
 * report is ever held whole in memory).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type OutputFormat = 'text' | 'json' | 'csv';

const FLUSH_AT = 1 << 20;

/**
 * A text stream. Strings are encoded (latin1: kernel text is bytes) straight into a 1 MiB buffer
 * that is written out when full, so no report is ever held whole in memory or concatenated.
 */
export class TextSink {
  private buf = Buffer.allocUnsafe(FLUSH_AT);
  private used = 0;
  private closed = false;
  bytesWritten = 0;

  constructor(
    private readonly fd: number,
    readonly name: string,
    private readonly ownsFd: boolean,
  ) {}

  write(text: string): void {
    if (text.length > this.buf.length - this.used) {
      this.flush();
      if (text.length > this.buf.length) {
        this.writeOut(Buffer.from(text, 'latin1'));
        return;
      }
    }
    this.used += this.buf.write(text, this.used, 'latin1');
  }

  line(text = ''): void {
    this.write(text + '\n');
  }

  flush(): void {
    if (this.used === 0) return;
    this.writeOut(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private writeOut(data: Buffer): void {
    let off = 0;
    while (off < data.length) {
      try {
        off += writeSync(this.fd, data, off, data.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EPIPE') {
          // Reader went away (ramparse … | head): stop quietly, like coreutils.
          process.exit(0);
        }
        throw e;
      }
    }
    this.bytesWritten += data.length;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.ownsFd) closeSync(this.fd);
  }
}

export interface Column {
  readonly name: string;
  /** Width for text rendering; negative = left-aligned. */
  readonly width?: number;
}

export type Cell = string | number | bigint | boolean | null;

/** Rows rendered as text columns, JSON lines or CSV. */
export class RowSink {
  private wroteHeader = false;

  constructor(
    private readonly sink: TextSink,
    readonly columns: readonly Column[],
    private readonly format: OutputFormat,
  ) {}

  add(row: readonly Cell[]): void {
    if (!this.wroteHeader) this.header();
    switch (this.format) {
      case 'json': {
        const obj: Record<string, unknown> = {};
        this.columns.forEach((c, i) => (obj[c.name] = jsonCell(row[i] ?? null)));
        this.sink.line(JSON.stringify(obj));
        break;
      }
      case 'csv':
        this.sink.line(row.map((c) => csvCell(c)).join(','));
        break;
      default:
        this.sink.line(this.columns.map((c, i) => pad(textCell(row[i] ?? null), c.width ?? 0)).join(' ').replace(/\s+$/, ''));
    }
  }

  /** Add a JSON object directly (json format only; other formats use the column order). */
  addObject(obj: Record<string, Cell | Cell[] | Record<string, Cell>>): void {
    if (this.format === 'json') {
      this.sink.line(JSON.stringify(obj, (_k, v) => (typeof v === 'bigint' ? jsonCell(v) : v)));
      return;
    }
    this.add(this.columns.map((c) => (obj[c.name] ?? null) as Cell));
  }

  private header(): void {
    this.wroteHeader = true;
    if (this.format === 'csv') this.sink.line(this.columns.map((c) => csvCell(c.name)).join(','));
    if (this.format === 'text') this.sink.line(this.columns.map((c) => pad(c.name, c.width ?? 0)).join(' ').replace(/\s+$/, ''));
  }

  end(): void {
    if (!this.wroteHeader) this.header();
  }
}

function jsonCell(c: Cell): unknown {
  if (typeof c === 'bigint') return c <= BigInt(Number.MAX_SAFE_INTEGER) && c >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(c) : '0x' + BigInt.asUintN(64, c).toString(16);
  return c;
}

function textCell(c: Cell): string {
  if (c === null) return '-';
  return String(c);
}

function csvCell(c: Cell): string {
  const s = c === null ? '' : String(c);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function pad(s: string, width: number): string {
  if (width > 0) return s.padStart(width);
  if (width < 0) return s.padEnd(-width);
  return s;
}

/** Opens the outputs of one run. */
export class OutputManager {
  private readonly open: TextSink[] = [];
  readonly written: string[] = [];

  constructor(
    readonly outdir: string | undefined,
    readonly format: OutputFormat,
    /** Send every named output to stdout instead of files. */
    readonly toStdout: boolean,
  ) {}

  /** A named output: a file in outdir, or stdout when toStdout (or no outdir for stdout plugins). */
  file(name: string, preferStdout = false): TextSink {
    if (this.toStdout || (preferStdout && this.outdir === undefined)) {
      const s = new TextSink(1, '<stdout>', false);
      this.open.push(s);
      return s;
    }
    const dir = this.outdir ?? 'ramparse-out';
    mkdirSync(dir, { recursive: true });
    const path = join(dir, name);
    const s = new TextSink(openSync(path, 'w'), path, true);
    this.open.push(s);
    this.written.push(path);
    return s;
  }

  table(name: string, columns: readonly Column[], preferStdout = false): RowSink {
    const ext = this.format === 'json' ? 'jsonl' : this.format === 'csv' ? 'csv' : 'txt';
    return new RowSink(this.file(`${name}.${ext}`, preferStdout), columns, this.format);
  }

  closeAll(): void {
    for (const s of this.open) s.close();
    this.open.length = 0;
  }
}
