import { ApiError } from '../../../lib/api-error';

/** core.DefaultSendBurst and core.DefaultSendPerMinute: the server's defaults (PARLEY_SEND_BURST, PARLEY_SEND_PER_MINUTE). */
export const DEFAULT_SEND_BURST = 30;
export const DEFAULT_SEND_PER_MINUTE = 60;

/**
 * UNMETERED is a budget nobody reaches: for worlds that write history out of time order (the demo's seed) or send
 * faster than people do (component tests). The budget itself is held by the ChatAPI contract suite.
 */
export const UNMETERED: SendLimit = { burst: 1_000_000, perMinute: 1_000_000 };

export interface SendLimit {
  burst: number;
  perMinute: number;
}

/**
 * SendBudget is core's per-person send budget (core/budget.go) in memory: a token bucket kept as the time each
 * person's bucket is full again, which every send moves one interval later (SendLimit.Take and Give).
 */
export class SendBudget {
  private readonly fullAt = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly toleranceMs: number;

  constructor(limit: SendLimit = { burst: DEFAULT_SEND_BURST, perMinute: DEFAULT_SEND_PER_MINUTE }) {
    this.intervalMs = 60_000 / limit.perMinute;
    this.toleranceMs = (limit.burst - 1) * this.intervalMs;
  }

  /** spend takes one send of sender's at `at` (ms), or throws core's `throttled` with how long to wait. */
  /** forget empties sender's bucket: a deleted account's budget state goes with it. */
  forget(sender: string): void {
    this.fullAt.delete(sender);
  }

  spend(sender: string, at: number): void {
    const base = Math.max(this.fullAt.get(sender) ?? at, at);
    const ahead = base - at;
    if (ahead > this.toleranceMs) {
      const waitMs = ahead - this.toleranceMs;
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new ApiError('throttled', `You are sending too fast. Try again in ${seconds} s.`, 429, seconds * 1000);
    }
    this.fullAt.set(sender, base + this.intervalMs);
  }

  /** refund gives one send back: a send that stored nothing new (a retried clientId). */
  refund(sender: string, at: number): void {
    const fullAt = this.fullAt.get(sender);
    if (fullAt !== undefined) this.fullAt.set(sender, Math.max(at, fullAt - this.intervalMs));
  }
}
