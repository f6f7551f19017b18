import { startEmbeddedPostgres } from '/work/main/packages/db/src/embedded.ts';

const t0 = Date.now();
const db = await startEmbeddedPostgres({
  dataDir: '/tmp/ddtest',
  onLog: (l) => console.error('LOG', l.slice(0, 100)),
});
console.log(db.url, Date.now() - t0);
await db.stop();
console.log('stopped', Date.now() - t0);
