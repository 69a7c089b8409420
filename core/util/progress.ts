/**
 * Progress for long walks, on stderr, only when stderr is a TTY and not --quiet.
 */
export class Progress {
  private last = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    quiet = false,
  ) {
    this.enabled = !quiet && process.stderr.isTTY === true;
  }

  update(done: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 200 && done < this.total) return;
    this.last = now;
    const pct = this.total > 0 ? Math.floor((done * 100) / this.total) : 0;
    process.stderr.write(`\r${this.label}: ${pct}% (${done}/${this.total})`);
  }

  done(): void {
    if (this.enabled) process.stderr.write(`\r${this.label}: done${' '.repeat(30)}\n`);
  }
}
