/**
 * Logs go through pino to stderr (fd 2) so stdout stays clean for reports. Lines are rendered for
 * people ("ramparse: warning: …"); RAMPARSE_LOG_JSON=1 keeps pino's JSON lines for machines.
 */
import { writeSync } from 'node:fs';
import { pino, type DestinationStream, type Logger } from 'pino';

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/** A pino destination that prints one human-readable line per record. */
const humanStderr: DestinationStream = {
  write(line: string): void {
    let text = line;
    try {
      const rec = JSON.parse(line) as { level: number; msg?: string; plugin?: string; err?: { stack?: string } };
      const where = rec.plugin ? ` [${rec.plugin}]` : '';
      text = `ramparse: ${LEVEL_NAMES[rec.level] ?? 'log'}${where}: ${rec.msg ?? ''}\n`;
      if (rec.err?.stack) text += rec.err.stack + '\n';
    } catch {
      // not JSON: print as is
    }
    writeSync(2, text);
  },
};

function make(level: string): Logger {
  const json = process.env.RAMPARSE_LOG_JSON === '1';
  return pino({ level, base: undefined, timestamp: false }, json ? pino.destination({ fd: 2, sync: true }) : humanStderr);
}

let root: Logger = make(process.env.RAMPARSE_LOG_LEVEL ?? 'warn');

export function setLogLevel(level: string): void {
  root = make(level);
}

export function log(): Logger {
  return root;
}
