import { pollUntil } from '@meridian/platform';

describe('pollUntil', () => {
  it('looks again every `everyMs` until the look finds something, and resolves with it', async () => {
    const looks: number[] = [];
    const started = performance.now();
    const found = await pollUntil(
      async () => {
        looks.push(performance.now() - started);
        return looks.length === 4 ? null : undefined;
      },
      { everyMs: 20, forMs: 5_000 },
    );
    // null is an answer (a session found gone, say); only undefined means "not yet".
    expect(found).toBeNull();
    expect(looks).toHaveLength(4);
    for (let i = 1; i < looks.length; i++) expect(looks[i] - looks[i - 1]).toBeGreaterThanOrEqual(15);
  });

  it('resolves with undefined once `forMs` has passed, having looked until about then', async () => {
    let looks = 0;
    const started = performance.now();
    const found = await pollUntil(async () => void (looks += 1), { everyMs: 25, forMs: 200 });
    const elapsed = performance.now() - started;
    expect(found).toBeUndefined();
    expect(elapsed).toBeGreaterThanOrEqual(190);
    // Bounds a loaded machine keeps: it gave up soon after the deadline, having looked more than once.
    expect(elapsed).toBeLessThan(5_000);
    expect(looks).toBeGreaterThanOrEqual(2);
  });

  it('ends the wait with the error a look throws, without looking again', async () => {
    let looks = 0;
    const failure = new Error('the store is down');
    await expect(
      pollUntil(
        async () => {
          looks += 1;
          throw failure;
        },
        { everyMs: 10, forMs: 1_000 },
      ),
    ).rejects.toBe(failure);
    expect(looks).toBe(1);
  });
});
