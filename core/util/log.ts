/**
 * Logs go through pino to stderr (fd 2) so stdout stays clean for reports.
 */
import { pino, type Logger } from 'pino';

let root: Logger = pino({ level: process.env.RAMPARSE_LOG_LEVEL ?? 'warn', base: undefined, timestamp: false }, pino.destination({ fd: 2, sync: true }));

export function setLogLevel(level: string): void {
  root = pino({ level, base: undefined, timestamp: false }, pino.destination({ fd: 2, sync: true }));
}

export function log(): Logger {
  return root;
}
