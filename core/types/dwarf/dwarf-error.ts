import { InputError } from '../../util/errors.js';

/** Malformed or unsupported DWARF; the message names the file and, where known, the section offset. */
export class DwarfError extends InputError {
  constructor(file: string, detail: string) {
    super(file, `DWARF: ${detail}`);
    this.name = 'DwarfError';
  }
}
