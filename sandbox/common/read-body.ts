import type { IncomingMessage } from 'node:http';

/** A request body; above `limit` bytes the request is cut and `tooLarge()` is the rejection. */
export function readBodyBytes(req: IncomingMessage, limit: number, tooLarge: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The same as UTF-8 text. */
export async function readBody(req: IncomingMessage, limit: number, tooLarge: () => Error): Promise<string> {
  return (await readBodyBytes(req, limit, tooLarge)).toString('utf8');
}
