/**
 * Errors a user can act on. The CLI prints `message` as one line and exits non-zero; anything else
 * is a bug and gets a stack trace only with --log-level debug.
 */
export class RamparseError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'RamparseError';
  }
}

/** A read that falls outside every range the dump holds. */
export class NotInDumpError extends RamparseError {
  constructor(readonly address: bigint, readonly what: 'physical' | 'virtual', detail = '') {
    super(`${what} address 0x${address.toString(16)} is not in the dump${detail ? `: ${detail}` : ''}`);
    this.name = 'NotInDumpError';
  }
}

/** A virtual address whose page-table walk ends in a non-present entry. */
export class TranslationError extends RamparseError {
  constructor(readonly address: bigint, detail: string) {
    super(`cannot translate virtual address 0x${address.toString(16)}: ${detail}`);
    this.name = 'TranslationError';
  }
}

/** Input files that are not what they claim (wrong format, truncated, mismatched). */
export class InputError extends RamparseError {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'InputError';
  }
}
