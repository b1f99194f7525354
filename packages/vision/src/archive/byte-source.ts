/**
 * Pull-based reading of exact byte counts from an async stream of chunks (e.g. a gunzip stream),
 * without concatenating the whole stream: the tar reader needs "the next 512 bytes" and
 * "the next N bytes as they arrive".
 */
export class ByteSource {
  readonly #it: AsyncIterator<Uint8Array>;
  readonly #chunks: Buffer[] = [];
  #head = 0; // bytes of #chunks[0] already consumed
  #buffered = 0;
  #ended = false;
  /** Bytes consumed so far: the offset of the next byte in the stream. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }

  async #pull(): Promise<boolean> {
    if (this.#ended) return false;
    const next = await this.#it.next();
    if (next.done) {
      this.#ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value)
      ? next.value
      : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    return true;
  }

  /** Up to `n` bytes; fewer only when the stream ended. */
  async read(n: number): Promise<Buffer> {
    while (this.#buffered < n && (await this.#pull()));
    const take = Math.min(n, this.#buffered);
    const first = this.#chunks[0];
    if (first !== undefined && first.length - this.#head >= take) {
      const out = first.subarray(this.#head, this.#head + take);
      this.#advance(take);
      return out;
    }
    const out = Buffer.allocUnsafe(take);
    let filled = 0;
    while (filled < take) filled += this.#copyFromHead(out, filled, take - filled);
    return out;
  }

  /** Yields the next `n` bytes in chunks as they arrive; stops early only when the stream ended. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.#buffered === 0 && !(await this.#pull())) return;
      const first = this.#chunks[0];
      if (first === undefined) continue;
      const take = Math.min(left, first.length - this.#head);
      const out = first.subarray(this.#head, this.#head + take);
      this.#advance(take);
      left -= take;
      yield out;
    }
  }

  /** Discards `n` bytes; returns how many were actually there. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    for await (const chunk of this.stream(n)) skipped += chunk.length;
    return skipped;
  }

  /** Consumes the rest of the stream, so errors in its tail (e.g. a gzip CRC) still surface. */
  async drain(): Promise<void> {
    this.#chunks.length = 0;
    this.#buffered = 0;
    this.#head = 0;
    while (await this.#pull()) {
      this.#chunks.length = 0;
      this.#buffered = 0;
    }
  }

  /** Stops the underlying iterator early (closes the stream it came from). */
  async close(): Promise<void> {
    await this.#it.return?.();
  }

  #copyFromHead(out: Buffer, at: number, want: number): number {
    const first = this.#chunks[0] as Buffer;
    const take = Math.min(want, first.length - this.#head);
    first.copy(out, at, this.#head, this.#head + take);
    this.#advance(take);
    return take;
  }

  #advance(n: number): void {
    this.#head += n;
    this.#buffered -= n;
    this.position += n;
    const first = this.#chunks[0];
    if (first !== undefined && this.#head >= first.length) {
      this.#chunks.shift();
      this.#head = 0;
    }
  }
}
