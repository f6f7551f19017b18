import { generateKeyPairSync } from 'node:crypto';
import { tarBuffer, writeOciLayout } from './build-image.ts';

/**
 * A test image with credentials planted the way they leak in real builds, every one in a
 * documented format: the AWS documentation's example key pair, a freshly generated RSA private
 * key, tokens shaped like GitHub's, Slack's, Stripe's and npm's (random bodies), registry and Git
 * credential files, a database URL, ENV values, a `--build-arg` recorded in the history, a key
 * file deleted by a later layer, and a risky configuration (root, no HEALTHCHECK, ADD from a
 * URL, a setuid file in /usr/local, a world-writable PATH directory, sshd, apt lists, a `latest`
 * base). Test fixtures inside node_modules must not be reported.
 */
export const PLANTED = {
  awsKeyId: 'AKIAIOSFODNN7EXAMPLE',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  github: 'ghp_R7tK2mQ9xV4bN8cL1zP6wY3hJ5dF0sGa2eUi',
  slack: 'xoxb-1234567890123-9876543210987-Zq8Xw2Lk4Mn6Bv1Cx3Jh7Tgf',
  stripe: 'sk_live_4eC39HqLyjWDarjtT1zdp7dcTYooMQ',
  npm: 'npm_Xa8Kd92Lmq0Zt7Vb3Nc5Rw1Yp6Hs4Gf2Jk9E',
  dbPassword: 'Tr0ub4dor-3-Horse',
  envToken: 'q9F2kL7xPz4Rw8Tn1Vb6Ym3Hs5Dg0Ja',
  buildArg: 'npm_Pq7Wm3Zx9Lk2Vb5Nc8Rt1Yh4Gs6Df0Ja3K',
  netrc: 'Sup3r-S3cret-Netrc',
  gitCredential: 'gh-Cred-7f3K9qLm2Z',
  dockerAuth: Buffer.from('ci-bot:Dock3r-Hub-Pass!').toString('base64'),
} as const;

export async function writePlantedSecretsImage(dir: string) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const fixtureKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const base = tarBuffer([
    { path: 'etc/', type: 'dir' },
    {
      path: 'etc/os-release',
      content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    },
    { path: 'usr/', type: 'dir' },
    { path: 'usr/bin/', type: 'dir' },
    { path: 'usr/bin/su', content: '\x7fELF su', mode: 0o4755 },
    { path: 'usr/local/', type: 'dir' },
    { path: 'usr/local/bin/', type: 'dir', mode: 0o777 },
    { path: 'usr/sbin/', type: 'dir' },
    { path: 'usr/sbin/sshd', content: '\x7fELF sshd', mode: 0o755 },
    { path: 'var/lib/apt/lists/', type: 'dir' },
    {
      path: 'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages',
      content: 'Package: x\n'.repeat(120_000),
    },
  ]);
  const app = tarBuffer([
    { path: 'app/', type: 'dir' },
    {
      path: 'app/.env',
      content: `AWS_ACCESS_KEY_ID=${PLANTED.awsKeyId}\nAWS_SECRET_ACCESS_KEY=${PLANTED.awsSecret}\n`,
    },
    { path: 'app/deploy_key', content: pem },
    {
      path: 'app/settings.py',
      content: `DEBUG = False\nDATABASE_URL = "postgres://app:${PLANTED.dbPassword}@db.internal:5432/app"\nGITHUB_TOKEN = "${PLANTED.github}"\n`,
    },
    {
      path: 'app/notify.js',
      content: `const slack = new WebClient('${PLANTED.slack}');\nconst stripe = require('stripe')('${PLANTED.stripe}');\n`,
    },
    {
      path: 'app/README.md',
      content: 'Set password = "changeme" and token: ${TOKEN} before running.\n',
    },
    { path: 'app/node_modules/', type: 'dir' },
    { path: 'app/node_modules/tls-lib/', type: 'dir' },
    { path: 'app/node_modules/tls-lib/test/', type: 'dir' },
    { path: 'app/node_modules/tls-lib/test/fixture.key', content: fixtureKey },
    { path: 'root/', type: 'dir' },
    { path: 'root/.npmrc', content: `//registry.npmjs.org/:_authToken=${PLANTED.npm}\n` },
    {
      path: 'root/.netrc',
      content: `machine api.example.com login deploy password ${PLANTED.netrc}\n`,
    },
    {
      path: 'root/.git-credentials',
      content: `https://ci:${PLANTED.gitCredential}@git.example.com\n`,
    },
    { path: 'root/.docker/', type: 'dir' },
    {
      path: 'root/.docker/config.json',
      content: JSON.stringify({
        auths: { 'https://index.docker.io/v1/': { auth: PLANTED.dockerAuth } },
      }),
    },
  ]);
  const cleanup = tarBuffer([
    { path: 'app/', type: 'dir' },
    { path: 'app/.wh..env', content: '' },
  ]);
  const tools = tarBuffer([
    { path: 'usr/', type: 'dir' },
    { path: 'usr/local/', type: 'dir' },
    { path: 'usr/local/bin/', type: 'dir', mode: 0o777 },
    { path: 'usr/local/bin/netdiag', content: '\x7fELF netdiag', mode: 0o4755 },
  ]);
  const steps = {
    base: '/bin/sh -c #(nop) ADD file:5f1c3d0c9e2f in / ',
    app: 'COPY . /app # buildkit',
    cleanup: 'RUN /bin/sh -c rm /app/.env # buildkit',
    tools: `RUN |1 NPM_TOKEN=${PLANTED.buildArg} /bin/sh -c install -m 4755 netdiag /usr/local/bin/ # buildkit`,
  };
  return writeOciLayout(
    dir,
    [
      { tar: base, createdBy: steps.base },
      { tar: app, createdBy: steps.app },
      { tar: cleanup, createdBy: steps.cleanup },
      { tar: tools, createdBy: steps.tools },
    ],
    {
      config: {
        Env: [
          'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          `API_TOKEN=${PLANTED.envToken}`,
          'DB_PASSWORD_FILE=/run/secrets/db',
          'NODE_ENV=production',
        ],
        Cmd: ['node', 'server.js'],
        ExposedPorts: { '8080/tcp': {} },
        Labels: { 'org.opencontainers.image.base.name': 'docker.io/library/node:latest' },
      },
      history: [
        { created_by: steps.base },
        { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
        {
          created_by: 'ADD https://downloads.example.com/agent.tar.gz /opt/ # buildkit',
          empty_layer: true,
        },
        { created_by: `ENV API_TOKEN=${PLANTED.envToken}`, empty_layer: true },
        { created_by: steps.app },
        { created_by: steps.cleanup },
        { created_by: steps.tools },
        { created_by: 'CMD ["node" "server.js"]', empty_layer: true },
      ],
    },
  );
}
