/**
 * Per-caller request rate limit for the GraphQL endpoint: one token bucket per API token name (the
 * sandbox's implicit caller has its own). A bucket holds `perMinute` requests and refills at
 * `perMinute / 60` per second, so a caller may burst up to a minute's worth and then keeps to the rate.
 * Buckets exist only for configured tokens, so the map is bounded by `ML_API_TOKENS`.
 */
export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the next request would be allowed (for `Retry-After`); 0 when allowed. */
  retryAfterS: number;
  remaining: number;
}

export class TokenBucketRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.perMs = perMinute / 60_000;
  }

  take(key: string): RateDecision {
    if (this.perMinute <= 0) return { allowed: true, retryAfterS: 0, remaining: Number.POSITIVE_INFINITY };
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterS: 0, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)), remaining: 0 };
  }
}
