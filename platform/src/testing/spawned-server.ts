import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';

/** One JSON log line of a spawned server (pino). */
export interface LogLine {
  pid: number;
  msg: string;
  /** A clustered primary's worker the line is about. */
  worker?: number;
  [key: string]: unknown;
}

/** A server running as a process of its own, started by {@link spawnServer}. */
export interface SpawnedServer {
  child: ChildProcess;
  /** Its JSON log lines so far, in order. */
  lines: LogLine[];
  /** Everything it wrote, for failure messages. */
  output(): string;
  /**
   * The first log line from index `after` on that `match` accepts, as soon as it is written; rejects
   * if the process exits first, or after `limitMs` (default 150 s), which bounds a hang and measures nothing.
   */
  waitFor(what: string, match: (line: LogLine) => boolean, options?: { after?: number; limitMs?: number }): Promise<LogLine>;
  /** Its exit code once it has exited (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** Runs `node --import tsx <entry>` with `env`, collecting its JSON log lines. */
export function spawnServer(entry: string, options: { cwd: string; env: NodeJS.ProcessEnv; detached?: boolean }): SpawnedServer {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = '';
  let partial = '';
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk;
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop()!;
    for (const text of complete) {
      try {
        const line = JSON.parse(text) as LogLine;
        lines.push({ ...line, msg: String(line.msg ?? '') });
      } catch {
        // Not a log line.
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor: SpawnedServer['waitFor'] = (what, match, { after = 0, limitMs = 150_000 } = {}) =>
    new Promise<LogLine>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      const check = () => {
        const found = lines.slice(after).find(match);
        if (!found) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no "${what}" within ${limitMs} ms:\n${output}`));
      }, limitMs);
      waiters.add(check);
      void exited.then((code) => {
        if (!waiters.has(check)) return;
        done();
        reject(new Error(`exited with ${code} before "${what}":\n${output}`));
      });
      check();
    });
  return { child, lines, output: () => output, waitFor, exited };
}

/** The pids of a clustered server's workers once `count` different ones have logged that they listen. */
export async function listeningWorkers(server: SpawnedServer, count: number, after = 0): Promise<number[]> {
  const pids = new Set<number>();
  while (pids.size < count) {
    const line = await server.waitFor(`${count} workers listening`, (l) => l.msg === 'worker listening' && !pids.has(l.worker!), { after });
    pids.add(line.worker!);
  }
  return [...pids];
}

/** A GET on a connection of its own (no keep-alive), so a cluster hands each one to its next worker. */
export function getFresh(port: number, pathname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathname, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    request.on('error', reject);
  });
}

/** The samples of one metric in a Prometheus text page, keyed by their label text (`a="1",b="2"`). */
export function metricSamples(page: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  const pattern = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`);
  for (const line of page.split('\n')) {
    const match = pattern.exec(line);
    if (match) found.set(match[1] ?? '', Number(match[2]));
  }
  return found;
}

/** Whether a process with this pid still exists. */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
