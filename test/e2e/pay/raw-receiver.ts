import { createServer, type Server } from 'node:http';

/** A request as the gateway posted it: headers and body untouched, for a runtime to verify. */
export interface RawNotification {
  headers: Record<string, string>;
  body: string;
}

/** A merchant notify endpoint on a random local port that keeps every request in `received` and answers 204. */
export async function startRawReceiver(received: RawNotification[]): Promise<Server> {
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  return receiver;
}
