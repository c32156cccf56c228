import { once } from 'node:events';

const FLUSH_AT = 64 * 1024;

/**
 * Buffers text for a stream and writes it in large pieces, waiting when the stream asks
 * to (a slow pipe), so that printing millions of lines stays fast and memory stays flat.
 */
export class BufferedWriter {
  readonly #stream: NodeJS.WritableStream;
  #buffer = '';

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }

  async write(text: string): Promise<void> {
    this.#buffer += text;
    if (this.#buffer.length >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#buffer === '') return;
    const text = this.#buffer;
    this.#buffer = '';
    if (!this.#stream.write(text)) await once(this.#stream, 'drain');
  }
}
