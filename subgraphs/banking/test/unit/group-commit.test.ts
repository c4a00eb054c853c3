import { createGroupCommit, type Settled } from '../../src/ledger/group-commit';

/** A batch runner whose batches finish when the test says so. */
function controlledRunner() {
  const batches: { items: number[]; finish: (outcomes?: Settled<string>[]) => void; fail: (err: unknown) => void }[] = [];
  const run = (items: number[]) =>
    new Promise<Settled<string>[]>((resolve, reject) => {
      batches.push({
        items,
        finish: (outcomes) => resolve(outcomes ?? items.map((i) => ({ ok: true, value: `done ${i}` }))),
        fail: reject,
      });
    });
  return { batches, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('starts a lone item on the next turn of the event loop, with no timer, as a batch of one', async () => {
    const { batches, run } = controlledRunner();
    const submit = createGroupCommit(run, { maxBatchSize: 10, maxConcurrentBatches: 1 });
    const result = submit(1);
    expect(batches).toEqual([]);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    batches[0].finish();
    await expect(result).resolves.toBe('done 1');
  });

  it('runs items submitted in one tick together, and queues what comes while a batch runs for the next one, up to the size', async () => {
    const { batches, run } = controlledRunner();
    const submit = createGroupCommit(run, { maxBatchSize: 3, maxConcurrentBatches: 1 });
    const first = [submit(1), submit(2)];
    await tick();
    const later = [3, 4, 5, 6, 7].map((i) => submit(i));
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1, 2]]);
    batches[0].finish();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1, 2], [3, 4, 5]]);
    batches[1].finish();
    await tick();
    batches[2].finish();
    await expect(Promise.all([...first, ...later])).resolves.toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `done ${i}`));
    expect(batches.map((b) => b.items)).toEqual([[1, 2], [3, 4, 5], [6, 7]]);
  });

  it('runs up to maxConcurrentBatches at once', async () => {
    const { batches, run } = controlledRunner();
    const submit = createGroupCommit(run, { maxBatchSize: 1, maxConcurrentBatches: 2 });
    const all = [1, 2, 3].map((i) => submit(i));
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
    batches[1].finish();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3]]);
    batches[0].finish();
    batches[2].finish();
    await expect(Promise.all(all)).resolves.toEqual(['done 1', 'done 2', 'done 3']);
  });

  it('shares items waiting together among the free slots, but not into batches lighter than minSharedWeight', async () => {
    const { batches, run } = controlledRunner();
    // Weights of 50: eight items weigh 400, enough for two shares of at least 128.
    const submit = createGroupCommit(run, { maxBatchSize: 100, maxConcurrentBatches: 2, minSharedWeight: 128, weigh: () => 50 });
    const heavy = Array.from({ length: 8 }, (_, i) => submit(i));
    await tick();
    expect(batches.map((b) => b.items)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    for (const b of batches) b.finish();
    await Promise.all(heavy);
    // Two items weigh 100: one batch, though a second slot is free.
    const light = [submit(8), submit(9)];
    await tick();
    expect(batches.slice(2).map((b) => b.items)).toEqual([[8, 9]]);
    batches[2].finish();
    await expect(Promise.all(light)).resolves.toEqual(['done 8', 'done 9']);
  });

  it('takes together the callers a batch has just answered, when they submit again from their continuations', async () => {
    const { batches, run } = controlledRunner();
    const submit = createGroupCommit(run, { maxBatchSize: 10, maxConcurrentBatches: 1 });
    // Each caller resubmits after its own number of awaits, as clients do after reading their answers.
    const again = (i: number) =>
      submit(i).then(async () => {
        for (let n = 0; n < i * 3; n++) await Promise.resolve();
        return submit(i + 10);
      });
    const all = [1, 2, 3].map(again);
    await tick();
    batches[0].finish();
    await tick();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([
      [1, 2, 3],
      [11, 12, 13],
    ]);
    batches[1].finish();
    await expect(Promise.all(all)).resolves.toEqual(['done 11', 'done 12', 'done 13']);
  });

  it('gives each item its own outcome, and fails only the batch whose run throws', async () => {
    const { batches, run } = controlledRunner();
    const submit = createGroupCommit(run, { maxBatchSize: 2, maxConcurrentBatches: 1 });
    const results = [1, 2, 3].map((i) => submit(i).then((v) => `ok ${v}`, (e: Error) => `error ${e.message}`));
    await tick();
    batches[0].finish([{ ok: true, value: 'one' }, { ok: false, error: new Error('two refused') }]);
    await tick();
    batches[1].fail(new Error('connection lost'));
    await expect(Promise.all(results)).resolves.toEqual(['ok one', 'error two refused', 'error connection lost']);
    // The queue keeps going after a failed batch.
    const next = submit(4);
    await tick();
    batches[2].finish();
    await expect(next).resolves.toBe('done 4');
  });

  it('fails every item of a batch that returns the wrong number of outcomes', async () => {
    const { batches, run } = controlledRunner();
    const submit = createGroupCommit(run, { maxBatchSize: 5, maxConcurrentBatches: 1 });
    const results = Promise.allSettled([submit(1), submit(2)]);
    await tick();
    batches[0].finish([{ ok: true, value: 'only one' }]);
    expect((await results).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
