import { createHmac } from 'node:crypto';
import type {
  WebhookData,
  WebhookDataSchemas,
  WebhookDeliverJob,
  WebhookPayload,
} from '@drydock/contract';
import { openWebhookSecret, type PrismaClient } from '@drydock/db';
import { EgressError, safeFetch } from '@drydock/net';

/** Attempts per delivery: the first and pg-boss's five retries (2, 4, 8, 16, 32 s apart). */
export const MAX_DELIVERY_ATTEMPTS = 6;
const TIMEOUT_MS = 10_000;

export class DeliveryFailed extends Error {
  override name = 'DeliveryFailed';
}

/** `X-Drydock-Signature`: HMAC-SHA256 over `<timestamp>.<body>`, hex, prefixed `sha256=`. */
export const signature = (secret: string, timestamp: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

/** One line for Slack-compatible incoming webhooks (`{ text }`). */
export function slackText(payload: WebhookPayload): string {
  const event = payload.event as keyof typeof WebhookDataSchemas;
  const data = <E extends keyof typeof WebhookDataSchemas>(_: E) =>
    payload.data as unknown as WebhookData<E>;
  switch (event) {
    case 'scan.finished': {
      const d = data('scan.finished');
      return `Drydock: scanned ${d.image.name}: ${d.findings.opened} new findings, ${d.findings.resolved} resolved, ${d.samples.opened} new malicious samples`;
    }
    case 'scan.failed': {
      const d = data('scan.failed');
      return `Drydock: the scan of ${d.image?.name ?? d.target} failed: ${d.reason}`;
    }
    case 'finding.new_high': {
      const d = data('finding.new_high');
      const ids = d.findings
        .slice(0, 10)
        .map((f) => `${f.vulnerabilityId}${f.package ? ` (${f.package})` : ''}`);
      return `Drydock: ${d.total} new high-priority vulnerabilities in ${d.image.name}: ${ids.join(', ')}${d.total > 10 ? ', …' : ''}`;
    }
    case 'sample.new_urgent': {
      const d = data('sample.new_urgent');
      const found = d.samples.slice(0, 10).map((s) => `${s.name}${s.path ? ` at /${s.path}` : ''}`);
      return `Drydock: ${d.total} urgent malicious samples in ${d.image.name}: ${found.join(', ')}`;
    }
    case 'advisories.imported': {
      const d = data('advisories.imported');
      return `Drydock: advisories imported from ${d.source}: ${d.added} added, ${d.updated} updated`;
    }
    case 'kev.added': {
      const d = data('kev.added');
      return `Drydock: ${d.total} CVEs added to CISA's Known Exploited Vulnerabilities: ${d.cves.slice(0, 20).join(', ')}${d.total > 20 ? ', …' : ''}`;
    }
    case 'ping':
      return 'Drydock: test notification — this webhook works.';
  }
}

/**
 * Sends one delivery: the payload (or its Slack text) signed with the webhook's key, under the
 * egress rules (no loopback, link-local or private address unless the webhook allows it; no
 * redirect followed). Each attempt is recorded on the row (status, response code, latency,
 * error); a failed attempt throws so the queue retries it with backoff, until the last.
 */
export function createWebhookDeliverHandler(deps: {
  prisma: PrismaClient;
  secretKey: string;
  fetchOptions?: { timeoutMs?: number };
}) {
  const { prisma } = deps;
  return async (job: WebhookDeliverJob) => {
    const delivery = await prisma.webhookDelivery.findUnique({
      where: { id: job.deliveryId },
      include: { webhook: true },
    });
    if (!delivery) return { skipped: 'delivery no longer exists' };
    if (delivery.status === 'succeeded' || delivery.status === 'failed') {
      return { skipped: delivery.status };
    }
    const hook = delivery.webhook;
    const attempts = delivery.attempts + 1;
    const payload = delivery.payload as unknown as WebhookPayload;
    const body = JSON.stringify(hook.format === 'slack' ? { text: slackText(payload) } : payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const started = performance.now();
    let responseCode: number | null = null;
    let error: string | null = null;
    // Refused by the egress rules: trying again cannot help.
    let final = false;
    if (!hook.enabled) {
      error = 'the webhook is disabled';
    } else {
      try {
        const secret = openWebhookSecret(deps.secretKey, hook.id, hook.secretSealed);
        const res = await safeFetch(
          hook.url,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'user-agent': 'Drydock-Webhook/1',
              'x-drydock-event': delivery.event,
              'x-drydock-delivery': delivery.id,
              'x-drydock-timestamp': timestamp,
              'x-drydock-signature': signature(secret, timestamp, body),
            },
            body,
            signal: AbortSignal.timeout(deps.fetchOptions?.timeoutMs ?? TIMEOUT_MS),
          },
          { rules: { allowPrivate: hook.allowPrivate }, maxRedirects: 0 },
        );
        responseCode = res.status;
        await res.body?.cancel().catch(() => undefined);
        if (res.status < 200 || res.status >= 300) error = `the receiver answered ${res.status}`;
      } catch (e) {
        error = (e instanceof Error ? e.message : String(e)).slice(0, 500);
        final = e instanceof EgressError;
      }
    }
    const last = error !== null && (attempts >= MAX_DELIVERY_ATTEMPTS || !hook.enabled || final);
    await prisma.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        attempts,
        responseCode,
        latencyMs: Math.round(performance.now() - started),
        error,
        lastAttemptAt: new Date(),
        status: error === null ? 'succeeded' : last ? 'failed' : 'retrying',
      },
    });
    if (error !== null && !last) throw new DeliveryFailed(error);
    return { status: error === null ? 'succeeded' : 'failed', responseCode, attempts };
  };
}
