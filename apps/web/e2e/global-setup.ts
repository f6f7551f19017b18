import { shared } from '@drydock/test-data';
import { startOidcProvider } from '../../../test/support/oidc.ts';
import { startRegistry } from '../../../test/support/registry.ts';

/**
 * A real registry (Debian's docker-registry, Basic auth) on loopback with images from
 * ../shared/images pushed by skopeo. The specs learn where it is from the environment.
 */
export default async function globalSetup() {
  const registry = await startRegistry({ auth: 'basic' });
  await registry.push(
    `docker-archive:${shared('images', 'debian12-node-app.tar')}`,
    'shop/node-app:1.0',
  );
  await registry.push(
    `docker-archive:${shared('images', 'malware-samples.tar')}`,
    'sec/samples:latest',
  );
  await registry.push(
    `docker-archive:${shared('images', 'go-binaries.tar')}`,
    'tools/go-binaries:1',
  );
  process.env.E2E_REGISTRY_URL = registry.url;
  process.env.E2E_REGISTRY_USER = registry.credentials?.username ?? '';
  process.env.E2E_REGISTRY_PASSWORD = registry.credentials?.password ?? '';
  process.env.E2E_ADVISORIES = shared('advisories');
  // The identity provider the server's DRYDOCK_OIDC_* name (playwright.config.ts).
  const oidc = await startOidcProvider({
    port: Number(process.env.E2E_OIDC_PORT),
    redirectUris: [`${process.env.E2E_BASE_URL}/api/v1/auth/oidc/callback`],
    accounts: { dana: { groups: ['analysts'] }, eve: { groups: ['contractors'] } },
  });
  return async () => {
    await oidc.stop();
    await registry.stop();
  };
}
