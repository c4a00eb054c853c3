// The subgraph transport's deadlines against a raw HTTP server that answers late, or starts its
// answer and then stalls: both fetches fail soon after the deadline instead of waiting for the server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSubgraphTransport } from '../src/subgraph-fetcher';

describe('the subgraph transport', () => {
  let server: http.Server;
  let url: string;
  const transport = createSubgraphTransport({ timeoutMs: 300 });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/late') {
        setTimeout(() => res.end('{"data":{}}'), 3_000).unref();
      } else if (req.url === '/stalls') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data":');
        setTimeout(() => res.end('{}}'), 3_000).unref();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"ok":true}}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await transport.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers what a prompt subgraph sent', async () => {
    const answer = await transport.send(`${url}/`, { 'content-type': 'application/json' }, '{"query":"{ ok }"}');
    expect(answer).toMatchObject({ status: 200, text: '{"data":{"ok":true}}' });
    expect(answer.headers['content-type']).toBe('application/json');
  });

  it.each(['late', 'stalls'])('fails a fetch whose subgraph %s past the deadline', async (path) => {
    const started = Date.now();
    await expect(transport.send(`${url}/${path}`, {}, '{}')).rejects.toThrow(/timeout/i);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(2_500);
  });
});
