import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { signIn } from './auth.ts';

const shots = path.resolve(import.meta.dirname, '../../../.test-output/screenshots');

test('an admin adds a webhook, sends a test, sees the delivery and sends it again', async ({
  page,
}) => {
  // The receiver: a chat or CI endpoint on this machine (hence "allow private addresses").
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/drydock`;
  try {
    await signIn(page);
    await page.goto('/settings');
    const form = page.getByRole('form', { name: 'Add webhook' });
    await form.getByLabel('Name (optional)').fill('ci-hook');
    await form.getByLabel('URL').fill(url);
    await form.getByLabel('Scan finished').check();
    // Loopback is refused until allowed explicitly.
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await expect(form.getByRole('alert')).toContainText('set allowPrivate to send there');
    await form.getByLabel('Allow private, loopback and link-local addresses').check();
    await form.getByRole('button', { name: 'Add webhook' }).click();
    const shown = form.getByRole('status');
    await expect(shown).toContainText('Signing secret, shown once');
    const secret = (await shown.locator('code').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);

    const table = page.getByRole('table', { name: 'Webhooks' });
    await expect(table.getByRole('row', { name: /ci-hook/ })).toContainText('scan.finished');
    await table.getByRole('button', { name: 'Send a test to ci-hook' }).click();
    await table.getByRole('button', { name: 'Deliveries of ci-hook' }).click();
    const deliveries = page.getByRole('table', { name: 'Deliveries' });
    await expect(deliveries.getByRole('row', { name: /ping Done 1 200/ })).toBeVisible({
      timeout: 30_000,
    });
    await deliveries
      .getByRole('button', { name: /^Redeliver ping/ })
      .first()
      .click();
    await expect(deliveries.getByRole('row', { name: /ping Done 1 200/ })).toHaveCount(2, {
      timeout: 30_000,
    });
    await page.screenshot({ path: path.join(shots, 'settings-notifications.png'), fullPage: true });

    // Both requests carry the same event, signed with the secret the console showed once.
    expect(received).toHaveLength(2);
    for (const r of received) {
      const ts = String(r.headers['x-drydock-timestamp']);
      const mac = createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex');
      expect(r.headers['x-drydock-signature']).toBe(`sha256=${mac}`);
    }
    const [first, second] = received.map((r) => JSON.parse(r.body));
    expect(first).toMatchObject({ schemaVersion: 1, event: 'ping' });
    expect(second.id).toBe(first.id);
  } finally {
    server.close();
  }
});
