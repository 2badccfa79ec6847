import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Puts an emulator's HTTP(S) server on a host and port (0 = a free one) and tells its base URL;
 * stopping it also cuts open keep-alive connections so close() never hangs.
 */

export interface ListeningServer {
  /** `http://host:port` or `https://…` (IPv6 hosts bracketed). */
  url: string;
  /** Stops accepting, destroys open connections; resolves once the server is closed. */
  close(): Promise<void>;
}

export async function listen(server: http.Server | https.Server, port = 0, host = '127.0.0.1'): Promise<ListeningServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const scheme = server instanceof https.Server ? 'https' : 'http';
  const url = `${scheme}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
