import type { PrismaClient } from '@drydock/db';

/**
 * Brute-force protection for sign-ins (and for the current password asked by a password change),
 * counted from the security log itself (every failure is
 * recorded there), so every API process and every restart sees the same count, over a sliding
 * window: failures per client address + user name since their last success, per client address,
 * and per account from any address since its last success (so rotating addresses, or a proxy
 * header, does not buy more guesses). Past a limit, attempts are refused (429) until the oldest
 * failure leaves the window.
 */
export class LoginThrottle {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly perUser = 5,
    private readonly perAddress = 20,
    private readonly perAccount = 10,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before another attempt, or 0 when allowed. */
  async retryAfter(ip: string, username: string): Promise<number> {
    const t = this.now();
    const since = new Date(t - this.windowMs);
    const [user] = await this.prisma.$queryRaw<{ n: bigint; first: Date | null }[]>`
      SELECT count(*) AS n, min(e.at) AS first FROM security_event e
      WHERE e.action IN ('login', 'password.change') AND e.outcome = 'failure' AND e.ip = ${ip}
        AND lower(e.actor) = lower(${username}) AND e.at > ${since}
        AND e.at > coalesce((
          SELECT max(s.at) FROM security_event s
          WHERE s.action = 'login' AND s.outcome = 'success' AND s.ip = ${ip}
            AND lower(s.actor) = lower(${username})), '-infinity'::timestamptz)`;
    const [address] = await this.prisma.$queryRaw<{ n: bigint; first: Date | null }[]>`
      SELECT count(*) AS n, min(at) AS first FROM security_event
      WHERE action IN ('login', 'password.change') AND outcome = 'failure' AND ip = ${ip}
        AND at > ${since}`;
    const [account] = await this.prisma.$queryRaw<{ n: bigint; first: Date | null }[]>`
      SELECT count(*) AS n, min(e.at) AS first FROM security_event e
      WHERE e.action IN ('login', 'password.change') AND e.outcome = 'failure'
        AND lower(e.actor) = lower(${username}) AND e.at > ${since}
        AND e.at > coalesce((
          SELECT max(s.at) FROM security_event s
          WHERE s.action = 'login' AND s.outcome = 'success'
            AND lower(s.actor) = lower(${username})), '-infinity'::timestamptz)`;
    const wait = (row: { n: bigint; first: Date | null } | undefined, limit: number) =>
      row && Number(row.n) >= limit && row.first
        ? Math.max(1, Math.ceil((row.first.getTime() + this.windowMs - t) / 1000))
        : 0;
    return Math.max(
      wait(user, this.perUser),
      wait(address, this.perAddress),
      wait(account, this.perAccount),
    );
  }
}
