import net from 'node:net';
import { Transform } from 'node:stream';

export interface SlowProxy {
  url: string;
  stop(): Promise<void>;
}

/**
 * A TCP proxy that limits the download rate of every connection: a slow network between a
 * registry and the workers, so that a scan is reliably still running when a test acts on it.
 */
export async function startSlowProxy(target: URL, bytesPerSecond: number): Promise<SlowProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    const throttle = new Transform({
      transform(chunk: Buffer, _enc, done) {
        setTimeout(() => done(null, chunk), (chunk.length / bytesPerSecond) * 1000);
      },
    });
    client.pipe(upstream);
    upstream.pipe(throttle).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
