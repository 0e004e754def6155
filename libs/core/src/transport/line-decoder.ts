const NEWLINE = 0x0a;

/**
 * Splits a byte stream into newline-terminated lines, as the watch protocol frames events.
 * Lines may be split across any number of chunks and may be many megabytes long; a chunk is
 * copied only when a line spans chunks. Decoding is UTF-8 (invalid bytes become U+FFFD).
 */
export class LineDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** @param maxLineBytes a longer line is a decoding error, so a runaway body cannot exhaust memory. */
  constructor(private readonly maxLineBytes = 128 * 1024 * 1024) {}

  /** Feeds a chunk and calls `onLine` for every line it completes (blank lines are skipped). */
  push(chunk: Buffer, onLine: (line: string) => void): void {
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    while (end !== -1) {
      let line: string;
      if (this.pendingBytes > 0) {
        this.pending.push(chunk.subarray(start, end));
        if (this.pendingBytes + end - start > this.maxLineBytes) {
          this.pending = [];
          this.pendingBytes = 0;
          throw new RangeError(`a line exceeds ${this.maxLineBytes} bytes`);
        }
        line = Buffer.concat(this.pending, this.pendingBytes + end - start).toString('utf8');
        this.pending = [];
        this.pendingBytes = 0;
      } else {
        if (end - start > this.maxLineBytes)
          throw new RangeError(`a line exceeds ${this.maxLineBytes} bytes`);
        line = chunk.toString('utf8', start, end);
      }
      if (line.length > 0 && line !== '\r') onLine(line);
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > this.maxLineBytes) {
        this.pending = [];
        this.pendingBytes = 0;
        throw new RangeError(`a line exceeds ${this.maxLineBytes} bytes`);
      }
      this.pending.push(start === 0 ? chunk : chunk.subarray(start));
    }
  }

  /** Bytes of an incomplete last line held so far: non-zero at end of stream means a cut line. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** The start of the incomplete last line, for error messages. */
  sample(): string {
    return Buffer.concat(this.pending).toString('utf8', 0, Math.min(this.pendingBytes, 200));
  }
}
