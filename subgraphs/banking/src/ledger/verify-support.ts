import type { EntityManager } from 'typeorm';
import type { LedgerMismatch } from './verifier';

// What the ledger verifier's two walks share.

export type Row = Record<string, unknown>;

/** Mismatch found: thrown inside the snapshot transaction and turned into the report. */
export class MismatchFound extends Error {
  constructor(readonly mismatch: LedgerMismatch) {
    super(mismatch.message);
  }
}

/** Reads a server-side cursor in batches, one row at a time. */
export class CursorReader {
  private rows: Row[] = [];
  private index = 0;
  private done = false;

  constructor(
    private readonly m: EntityManager,
    private readonly name: string,
    private readonly batchSize: number,
  ) {}

  async peek(): Promise<Row | undefined> {
    if (this.index < this.rows.length) return this.rows[this.index];
    if (this.done) return undefined;
    this.rows = await this.m.query(`FETCH ${this.batchSize} FROM ${this.name}`);
    this.index = 0;
    if (this.rows.length < this.batchSize) this.done = true;
    return this.rows[0];
  }

  async next(): Promise<Row | undefined> {
    const row = await this.peek();
    if (row) this.index += 1;
    return row;
  }
}

export const big = (value: unknown): bigint => BigInt(value as string);

