// What `npm run bench:memory` reads from a running process: /proc (Linux only) for its
// resident memory and mappings, and the Node inspector (opened with SIGUSR1 on the port
// `--inspect-port` chose) for the V8 heap and the WebAssembly memories.
import fs from 'node:fs';
import { WebSocket } from 'undici';

const MB = 1024 * 1024;

/** VmRSS, VmHWM and their parts from /proc/<pid>/status, in MB. */
export interface ProcessStatus {
  rssMb: number;
  peakRssMb: number;
  anonymousMb: number;
  fileMb: number;
  threads: number;
}

/** Reads /proc/<pid>/status; undefined once the process is gone. */
export function readStatus(pid: number): ProcessStatus | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  return {
    rssMb: kb('VmRSS'),
    peakRssMb: kb('VmHWM'),
    anonymousMb: kb('RssAnon'),
    fileMb: kb('RssFile'),
    threads: Number(/^Threads:\s+(\d+)/m.exec(text)?.[1] ?? NaN),
  };
}

/** The pids of a process's descendants, depth first (Linux: /proc/<pid>/task/<tid>/children). */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const task of tasks) {
    let children = '';
    try {
      children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.split(' ').filter(Boolean).map(Number)) found.push(child, ...descendants(child));
  }
  return found;
}

/** The first descendant of `pid` running this Node binary with `needle` in its command line (not the shell npm starts it with). */
export function findNodeDescendant(pid: number, needle: string): number | undefined {
  const node = fs.realpathSync(process.execPath);
  return descendants(pid).find((child) => {
    try {
      return fs.readlinkSync(`/proc/${child}/exe`) === node && fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').includes(needle);
    } catch {
      return false;
    }
  });
}

interface Mapping {
  sizeBytes: number;
  rssKb: number;
  path: string;
}

function readMappings(pid: number): Mapping[] {
  const mappings: Mapping[] = [];
  let current: Mapping | undefined;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      current = { sizeBytes: parseInt(header[2], 16) - parseInt(header[1], 16), rssKb: 0, path: header[3] };
      mappings.push(current);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && current) current.rssKb = Number(rss[1]);
  }
  return mappings;
}

/** Where the resident memory of the process is, in MB. */
export interface MemoryBreakdown {
  rssMb: number;
  /** `process.memoryUsage()`: the V8 heap in use and committed, memory V8 knows of outside it, and the ArrayBuffers in it. */
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  /** V8 heap spaces: used / committed MB by name. */
  heapSpaces: Record<string, { usedMb: number; committedMb: number }>;
  /** Every WebAssembly.Memory in the heap: its size and how much of it is resident (its mapping in /proc/<pid>/smaps). */
  wasmMemories: { sizeMb: number; residentMb: number }[];
  /** Resident memory mapped from files (the node binary, shared libraries, native addons). */
  fileMb: number;
  /**
   * What is left: malloc (parsers, compilers, buffers of native code; all threads), compiled
   * WebAssembly and JavaScript code, stacks. RSS − files − V8 heap committed − WebAssembly
   * memories resident − ArrayBuffers.
   */
  nativeRestMb: number;
  /** Of the rest, the main thread's malloc heap (`[heap]`); other threads' arenas are anonymous mappings. */
  mallocMainMb: number;
}

/** A minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
class Inspector {
  private next = 0;
  private readonly pending = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id !== undefined) this.pending.get(message.id)?.(message);
      if (message.id !== undefined) this.pending.delete(message.id);
    });
  }

  static async connect(url: string): Promise<Inspector> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve());
      socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${url}`)));
    });
    return new Inspector(socket);
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.next;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, (message) => (message.error ? reject(new Error(`${method}: ${message.error.message}`)) : resolve(message.result as T)));
    });
  }

  /** Evaluates an expression in the process (with the console's `require`) and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const answer = await this.send<{ result: { value: T }; exceptionDetails?: { text: string } }>('Runtime.evaluate', {
      expression,
      returnByValue: true,
      includeCommandLineAPI: true,
    });
    if (answer.exceptionDetails) throw new Error(`${expression}: ${answer.exceptionDetails.text}`);
    return answer.result.value;
  }

  close(): void {
    this.socket.close();
  }
}

const USAGE = `JSON.stringify({
  usage: process.memoryUsage(),
  spaces: require('v8').getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size, s.physical_space_size]),
})`;

/**
 * Opens the inspector of `pid` (SIGUSR1; `inspectorUrl` waits for the "Debugger listening"
 * line on its stderr) and breaks its resident memory down. Call it after the idle samples:
 * finding the WebAssembly memories walks the heap after a full garbage collection.
 */
export async function breakDown(pid: number, inspectorUrl: () => Promise<string>): Promise<MemoryBreakdown> {
  process.kill(pid, 'SIGUSR1');
  const inspector = await Inspector.connect(await inspectorUrl());
  try {
    const status = readStatus(pid);
    const mappings = readMappings(pid);
    const { usage, spaces } = JSON.parse(await inspector.evaluate<string>(USAGE)) as {
      usage: NodeJS.MemoryUsage;
      spaces: [string, number, number][];
    };
    const prototype = await inspector.send<{ result: { objectId: string } }>('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
    const memories = await inspector.send<{ objects: { objectId: string } }>('Runtime.queryObjects', { prototypeObjectId: prototype.result.objectId });
    const sizes = await inspector.send<{ result: { value: number[] } }>('Runtime.callFunctionOn', {
      objectId: memories.objects.objectId,
      functionDeclaration: 'function () { return this.map((memory) => memory.buffer.byteLength); }',
      returnByValue: true,
    });
    // A WebAssembly memory is one read-write mapping of exactly its size inside a larger reservation.
    const unclaimed = [...mappings];
    const wasmMemories = sizes.result.value
      .sort((a, b) => b - a)
      .map((size) => {
        const index = unclaimed.findIndex((m) => m.sizeBytes === size && m.path === '');
        const [mapping] = index >= 0 ? unclaimed.splice(index, 1) : [];
        return { sizeMb: size / MB, residentMb: (mapping?.rssKb ?? 0) / 1024 };
      });
    const rssMb = status?.rssMb ?? NaN;
    const fileMb = status?.fileMb ?? NaN;
    const mallocMainMb = mappings.filter((m) => m.path === '[heap]').reduce((sum, m) => sum + m.rssKb, 0) / 1024;
    const wasmResidentMb = wasmMemories.reduce((sum, m) => sum + m.residentMb, 0);
    // arrayBuffers leaves the WebAssembly memories out (external counts them).
    const otherArrayBuffersMb = usage.arrayBuffers / MB;
    return {
      rssMb,
      heapUsedMb: usage.heapUsed / MB,
      heapTotalMb: usage.heapTotal / MB,
      externalMb: usage.external / MB,
      arrayBuffersMb: usage.arrayBuffers / MB,
      heapSpaces: Object.fromEntries(spaces.filter(([, , committed]) => committed > 0).map(([name, used, committed]) => [name, { usedMb: used / MB, committedMb: committed / MB }])),
      wasmMemories,
      fileMb,
      nativeRestMb: rssMb - fileMb - usage.heapTotal / MB - wasmResidentMb - otherArrayBuffersMb,
      mallocMainMb,
    };
  } finally {
    inspector.close();
  }
}
