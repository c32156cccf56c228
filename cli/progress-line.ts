/** How often a progress line is redrawn: often enough to look alive, rarely enough to cost nothing. */
const REDRAW_MS = 200;

/**
 * One line of progress on stderr for a long command, redrawn in place. Only on a terminal:
 * in a pipe, a log file or a test it writes nothing, so output stays machine-readable.
 */
export class ProgressLine {
  readonly onTerminal: boolean;
  #drawnAt = 0;
  #drawn = false;

  constructor(private readonly stderr: NodeJS.WritableStream) {
    this.onTerminal = (stderr as { isTTY?: boolean }).isTTY === true;
  }

  /** Shows `text`, unless the line was redrawn less than REDRAW_MS ago (`force` skips that). */
  update(text: string, force = false): void {
    if (!this.onTerminal) return;
    const now = Date.now();
    if (!force && now - this.#drawnAt < REDRAW_MS) return;
    this.#drawnAt = now;
    this.#drawn = true;
    // Erase to the end of the line: the new text may be shorter than the old one.
    this.stderr.write(`\r${text}\x1b[K`);
  }

  /** Ends the line, so that what follows starts on a line of its own. */
  break(): void {
    if (!this.#drawn) return;
    this.stderr.write('\n');
    this.#drawn = false;
  }
}

/** A byte count as progress lines show it: `12.3 MiB`. */
export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
