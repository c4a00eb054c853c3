// One benchmark server process: forked as the Dockerfile starts a server (`node --import tsx`),
// its stdout and stderr in a log file, ready when it sends `{ type: 'ready', port }` over IPC,
// stopped with SIGTERM (SIGKILL after 10 s). Shared by the gateway and the services benchmarks.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** What a benchmark server sends once it listens. */
export interface ReadyMessage {
  type: 'ready';
  role: string;
  port: number;
  /** An internal metrics port, for servers that serve /metrics apart. */
  metricsPort?: number;
}

/** A forked server that listens. */
export interface ForkedServer {
  child: ChildProcess;
  pid: number;
  ready: ReadyMessage;
  /** Its stdout and stderr. */
  log: string;
  stop(): Promise<void>;
}

/** Options for {@link forkServer}. */
export interface ForkOptions {
  /** Its whole environment. */
  env: NodeJS.ProcessEnv;
  /** Where its log (and its CPU profile) go. */
  dir: string;
  /** Run it under V8's sampling profiler; the `.cpuprofile` lands in `dir` when it stops. */
  profile?: boolean;
  /** The log's name without `.log`. */
  logName: string;
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Stops a child: SIGTERM, then SIGKILL if it has not exited within 10 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Forks `script` with `role` as its argument and waits until it listens (60 s at most; its log's tail is in the error). */
export function forkServer(script: string, role: string, options: ForkOptions): Promise<ForkedServer> {
  const log = path.join(options.dir, `${options.logName}.log`);
  const out = fs.openSync(log, 'a');
  const child = fork(script, [role], {
    cwd: path.resolve(__dirname, '..'),
    env: options.env,
    execArgv: ['--import', 'tsx', ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${options.dir}`] : [])],
    stdio: ['ignore', out, out, 'ipc'],
  });
  fs.closeSync(out);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${role} did not start within 60 s`)), 60_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n--- ${log}\n${tail(log)}`));
    };
    const onMessage = (message: ReadyMessage) => {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.off('message', onMessage);
      resolve({ child, pid: child.pid!, ready: message, log, stop: () => stopChild(child) });
    };
    child.once('exit', (code) => fail(new Error(`${role} exited with code ${code} before it listened`)));
    child.on('message', onMessage);
  });
}
