import { InFlightFetches, type SubgraphAnswer } from '../src';

/** A fetch that answers when the test says so, counting how often it was sent. */
function deferredFetch(text: string) {
  let sent = 0;
  let release!: () => void;
  let fail!: (error: Error) => void;
  const answer = new Promise<SubgraphAnswer>((resolve, reject) => {
    release = () => resolve({ status: 200, headers: { 'content-type': 'application/json' }, text });
    fail = reject;
  });
  return {
    send: () => {
      sent += 1;
      return answer;
    },
    get sent() {
      return sent;
    },
    release: () => release(),
    fail: (error: Error) => fail(error),
  };
}

describe('InFlightFetches', () => {
  it('sends an identical fetch of the same caller once while it is in flight, and again once it has answered', async () => {
    const fetches = new InFlightFetches();
    const fetch = deferredFetch('{"data":{"me":"a"}}');
    const answers = [1, 2, 3].map(() => fetches.run('users', 'Bearer a', '{"query":"{me}"}', fetch.send));
    expect(fetch.sent).toBe(1);
    expect(fetches.merged).toBe(2);
    fetch.release();
    const texts = (await Promise.all(answers)).map((a) => a.text);
    expect(texts).toEqual(['{"data":{"me":"a"}}', '{"data":{"me":"a"}}', '{"data":{"me":"a"}}']);
    expect(fetches.size).toBe(0);

    const again = deferredFetch('{"data":{"me":"a2"}}');
    const next = fetches.run('users', 'Bearer a', '{"query":"{me}"}', again.send);
    expect(again.sent).toBe(1);
    again.release();
    expect((await next).text).toBe('{"data":{"me":"a2"}}');
  });

  it('never shares a fetch between callers, subgraphs or bodies', async () => {
    const fetches = new InFlightFetches();
    const made: ReturnType<typeof deferredFetch>[] = [];
    const run = (subgraph: string, caller: string, body: string) => {
      const fetch = deferredFetch(`${subgraph}|${caller}|${body}`);
      made.push(fetch);
      return fetches.run(subgraph, caller, body, fetch.send);
    };
    const answers = [
      run('users', 'Bearer a', 'q1'),
      run('users', 'Bearer b', 'q1'),
      run('accounts', 'Bearer a', 'q1'),
      run('users', 'Bearer a', 'q2'),
      // The same user with another token (other scopes) is another caller.
      run('users', 'Bearer a-other-session', 'q1'),
    ];
    expect(made.map((f) => f.sent)).toEqual([1, 1, 1, 1, 1]);
    expect(fetches.merged).toBe(0);
    for (const fetch of made) fetch.release();
    expect((await Promise.all(answers)).map((a) => a.text)).toEqual([
      'users|Bearer a|q1',
      'users|Bearer b|q1',
      'accounts|Bearer a|q1',
      'users|Bearer a|q2',
      'users|Bearer a-other-session|q1',
    ]);
  });

  it('after a write by the caller, a new fetch is sent rather than joining one sent before it; other callers are untouched', async () => {
    const fetches = new InFlightFetches();
    const before = deferredFetch('before');
    const other = deferredFetch('other');
    const first = fetches.run('users', 'Bearer a', 'q', before.send);
    const otherFirst = fetches.run('users', 'Bearer b', 'q', other.send);
    fetches.wrote('Bearer a');
    const after = deferredFetch('after');
    const second = fetches.run('users', 'Bearer a', 'q', after.send);
    const otherSecond = fetches.run('users', 'Bearer b', 'q', deferredFetch('never').send);
    expect([before.sent, after.sent, other.sent]).toEqual([1, 1, 1]);
    // The fetch sent before the write answers its own waiters, and does not remove the newer entry.
    before.release();
    expect((await first).text).toBe('before');
    const third = fetches.run('users', 'Bearer a', 'q', deferredFetch('never').send);
    after.release();
    other.release();
    expect([(await second).text, (await third).text, (await otherFirst).text, (await otherSecond).text]).toEqual(['after', 'after', 'other', 'other']);
  });

  it('shares a failure with every waiter, then sends afresh', async () => {
    const fetches = new InFlightFetches();
    const failing = deferredFetch('');
    const a = fetches.run('users', 'Bearer a', 'q', failing.send);
    const b = fetches.run('users', 'Bearer a', 'q', failing.send);
    failing.fail(new Error('down'));
    await expect(a).rejects.toThrow('down');
    await expect(b).rejects.toThrow('down');
    const retry = deferredFetch('up');
    const c = fetches.run('users', 'Bearer a', 'q', retry.send);
    retry.release();
    expect((await c).text).toBe('up');
    expect(retry.sent).toBe(1);
  });
});
