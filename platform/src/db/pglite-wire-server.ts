import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/** Options for {@link servePglite}. */
export interface PgliteWireServerOptions {
  host?: string;
  /** 0 for any free port. */
  port: number;
  maxConnections: number;
}

/** A PGlite database served over the PostgreSQL wire protocol. */
export interface PgliteWireServer {
  port: number;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
// Messages after which the client waits for an answer: the end of one unit of work.
const UNIT_END = new Set(['S', 'Q', 'H', 'X']);

interface Unit {
  connection: Connection;
  data: Uint8Array;
}

interface Connection {
  socket: net.Socket;
  buffer: Buffer;
  started: boolean;
  pending: Buffer[];
  closed: boolean;
}

/**
 * Serves PGlite to `pg` clients. PGlite runs one thing at a time, so every
 * connection's messages up to a Sync or simple Query run as one exclusive unit
 * (a parameterised query is Parse/Bind/Execute/Sync and must not interleave
 * with another connection's), and while a connection holds an open
 * transaction only its own units run. A connection that goes away inside a
 * transaction has it rolled back.
 */
export async function servePglite(db: PGlite, options: PgliteWireServerOptions): Promise<PgliteWireServer> {
  const queue: Unit[] = [];
  const connections = new Set<Connection>();
  let owner: Connection | undefined;
  let pumping = false;

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        if (owner && (owner.closed || !db.isInTransaction())) {
          if (owner.closed && db.isInTransaction()) await db.exec('ROLLBACK');
          owner = undefined;
        }
        const index = owner ? queue.findIndex((u) => u.connection === owner) : 0;
        if (index < 0 || queue.length === 0) break;
        const [unit] = queue.splice(index, 1);
        if (unit.connection.closed) continue;
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(unit.data, {
              onRawData: (chunk: Uint8Array) => {
                if (!unit.connection.closed) unit.connection.socket.write(chunk);
              },
            }),
          );
        } catch {
          unit.connection.socket.destroy();
        }
        owner = db.isInTransaction() ? unit.connection : undefined;
      }
    } finally {
      pumping = false;
    }
  }

  function enqueue(connection: Connection, data: Buffer): void {
    queue.push({ connection, data: new Uint8Array(data) });
    void pump();
  }

  function onData(connection: Connection): void {
    for (;;) {
      const { buffer } = connection;
      if (!connection.started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        connection.buffer = buffer.subarray(length);
        if (code === SSL_REQUEST) {
          connection.socket.write('N');
        } else if (code === CANCEL_REQUEST) {
          connection.socket.end();
          return;
        } else {
          connection.started = true;
          enqueue(connection, buffer.subarray(0, length));
        }
        continue;
      }
      if (buffer.length < 5) return;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return;
      const type = String.fromCharCode(buffer[0]);
      connection.pending.push(buffer.subarray(0, length));
      connection.buffer = buffer.subarray(length);
      if (type === 'X') {
        connection.socket.end();
        return;
      }
      if (UNIT_END.has(type)) {
        const unit = Buffer.concat(connection.pending);
        connection.pending = [];
        enqueue(connection, unit);
      }
    }
  }

  const server = net.createServer((socket) => {
    if (connections.size >= options.maxConnections) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const connection: Connection = { socket, buffer: Buffer.alloc(0), started: false, pending: [], closed: false };
    connections.add(connection);
    socket.on('data', (chunk) => {
      connection.buffer = connection.buffer.length ? Buffer.concat([connection.buffer, chunk]) : chunk;
      onData(connection);
    });
    const gone = () => {
      if (connection.closed) return;
      connection.closed = true;
      connections.delete(connection);
      // Let the pump roll back a transaction this connection left open.
      void pump();
    };
    socket.on('close', gone);
    socket.on('error', gone);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const connection of connections) connection.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
