/**
 * Brute-force protection for logins: failures are counted per client address + user name and per
 * client address over a sliding window; past the limit, attempts are refused (429) until the
 * oldest failure leaves the window. In memory, per API process.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly perUser = 5,
    private readonly perAddress = 20,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before another attempt, or 0 when allowed. */
  retryAfter(ip: string, username: string): number {
    const t = this.now();
    const wait = (key: string, limit: number) => {
      const list = (this.failures.get(key) ?? []).filter((at) => at > t - this.windowMs);
      this.failures.set(key, list);
      return list.length >= limit ? Math.ceil(((list[0] as number) + this.windowMs - t) / 1000) : 0;
    };
    return Math.max(
      wait(`u:${ip}:${username.toLowerCase()}`, this.perUser),
      wait(`a:${ip}`, this.perAddress),
    );
  }

  fail(ip: string, username: string): void {
    const t = this.now();
    for (const key of [`u:${ip}:${username.toLowerCase()}`, `a:${ip}`]) {
      this.failures.set(key, [...(this.failures.get(key) ?? []), t]);
    }
  }

  succeed(ip: string, username: string): void {
    this.failures.delete(`u:${ip}:${username.toLowerCase()}`);
  }
}
