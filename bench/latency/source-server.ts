// Plain HTTP for the encoder's folder, as a CDN or nginx would serve it: the baseline that
// hls.js plays side by side with Shoal's viewers. Names only, no subfolders.

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export interface SourceServer {
  origin: string;
  close(): Promise<void>;
}

export async function serveFolder(folder: string): Promise<SourceServer> {
  const server: Server = createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0]!.slice(1);
    if (!/^[A-Za-z0-9._-]+\.(m3u8|ts|m4s|mp4)$/.test(name)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    readFile(join(folder, name)).then(
      (body) => {
        const type = name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t';
        res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }).end(body);
      },
      () => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
