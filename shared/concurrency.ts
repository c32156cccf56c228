/**
 * Runs `work` on every item, at most `limit` at a time, taking items as they come from an
 * array or a stream (an S3 listing). After a failure no new item starts; it resolves once
 * the running ones have settled, then rejects with the first failure.
 */
export async function forEachConcurrently<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const iterator =
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  // One pull at a time: an async iterator must not be asked for its next item twice at once.
  let pulling: Promise<unknown> = Promise.resolve();
  const next = (): Promise<IteratorResult<T>> => {
    const pulled = pulling.then(() => iterator.next());
    pulling = pulled.catch(() => undefined);
    return pulled;
  };
  let failure: { error: unknown } | undefined;
  let exhausted = false;
  const worker = async () => {
    while (failure === undefined && !exhausted) {
      let item: IteratorResult<T>;
      try {
        item = await next();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (item.done === true) {
        exhausted = true;
        return;
      }
      try {
        await work(item.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  if (failure !== undefined) throw failure.error;
}
