import { setTimeout as sleep } from 'node:timers/promises';

/** The SQS event source settings of a function, as serverless.yml declares them. */
export interface PollerSettings {
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  maximumConcurrency: number;
  /** The queue's VisibilityTimeout: a failed batch comes back after it. */
  visibilityTimeoutSeconds: number;
}

export interface Invocation {
  slot: number;
  size: number;
  /** ms since the poller started */
  formedAt: number;
  startedAt: number;
  endedAt: number;
  ok: boolean;
  error?: string;
}

interface Queued<T> {
  body: T;
  receiveCount: number;
}

/**
 * A faithful-enough model of Lambda's SQS poller: a batch starts forming when an invocation slot
 * is free and a message is waiting; it is sent when it holds `batchSize` records or when the
 * batching window has passed since it started forming; at most `maximumConcurrency` invocations run
 * at once, and no messages are taken while they all run. A failed invocation's records, or only the
 * batch item failures it reports, come back (after the visibility timeout in production; here
 * `redeliverAfterMs`, reported).
 */
export class SqsPoller<T> {
  private readonly queue: Queued<T>[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private readonly t0 = performance.now();
  readonly invocations: Invocation[] = [];
  redelivered = 0;

  constructor(
    private readonly settings: PollerSettings,
    /** Answers the records SQS must deliver again (ReportBatchItemFailures); a throw fails them all. */
    private readonly invoke: (slot: number, records: T[]) => Promise<T[] | undefined>,
    private readonly redeliverAfterMs = 0,
  ) {}

  now(): number {
    return performance.now() - this.t0;
  }

  send(body: T): void {
    this.queue.push({ body, receiveCount: 0 });
    this.notify();
  }

  /** No more messages will be sent; `run` returns once the queue is drained. */
  close(): void {
    this.closed = true;
    this.notify();
  }

  private notify() {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private arrival(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(resolve, Math.max(0, timeoutMs));
      this.wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  async run(): Promise<void> {
    const { batchSize, maximumConcurrency } = this.settings;
    const windowMs = this.settings.maximumBatchingWindowSeconds * 1000;
    const free = Array.from({ length: maximumConcurrency }, (_, i) => i);
    const running = new Set<Promise<void>>();
    let pendingRedeliveries = 0;
    for (;;) {
      while (free.length === 0) await Promise.race(running);
      while (this.queue.length === 0) {
        if (this.closed && running.size === 0 && pendingRedeliveries === 0) return;
        await Promise.race([this.arrival(), ...running]);
      }
      if (free.length === 0) continue;
      const formedAt = this.now();
      const batch = this.queue.splice(0, batchSize);
      while (batch.length < batchSize) {
        const left = windowMs - (this.now() - formedAt);
        if (left <= 0) break;
        await this.arrival(left);
        batch.push(...this.queue.splice(0, batchSize - batch.length));
      }
      const slot = free.shift() as number;
      const invocation: Invocation = {
        slot,
        size: batch.length,
        formedAt,
        startedAt: this.now(),
        endedAt: 0,
        ok: true,
      };
      this.invocations.push(invocation);
      const redeliver = (records: T[], why: string) => {
        invocation.ok = false;
        invocation.error = why;
        pendingRedeliveries++;
        this.redelivered += records.length;
        void sleep(this.redeliverAfterMs).then(() => {
          pendingRedeliveries--;
          for (const body of records) {
            const q = batch.find((b) => b.body === body) as Queued<T>;
            this.queue.push({ ...q, receiveCount: q.receiveCount + 1 });
          }
          this.notify();
        });
      };
      const done = this.invoke(
        slot,
        batch.map((q) => q.body),
      )
        .then((failed) => {
          if (failed && failed.length > 0) redeliver(failed, `${failed.length} batch item failures`);
        })
        .catch((error: Error) =>
          redeliver(
            batch.map((q) => q.body),
            `${error.name}: ${error.message}`,
          ),
        )
        .finally(() => {
          invocation.endedAt = this.now();
          free.push(slot);
          running.delete(done);
          this.notify();
        });
      running.add(done);
    }
  }
}
