/** Session ids and until when each stays on the list, dropped once that time has passed. */
export class RevokedSessionSet {
  private readonly until = new Map<string, number>();
  private nextSweepAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  add(sessionId: string, untilMs: number): void {
    if (untilMs <= this.now()) return;
    this.until.set(sessionId, Math.max(this.until.get(sessionId) ?? 0, untilMs));
    this.sweep();
  }

  has(sessionId: string): boolean {
    const until = this.until.get(sessionId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(sessionId);
    return false;
  }

  get size(): number {
    return this.until.size;
  }

  clear(): void {
    this.until.clear();
  }

  /** Forgets expired entries at most once a minute, so the set holds only sessions whose tokens could still be valid. */
  private sweep(): void {
    const now = this.now();
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + 60_000;
    for (const [sessionId, until] of this.until) if (until <= now) this.until.delete(sessionId);
  }
}
