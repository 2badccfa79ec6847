import http from 'node:http';
import https from 'node:https';

/**
 * One notification POST to a merchant's URL with a reply window: what came back (status and
 * body) or why nothing did (an invalid URL, a timeout, a connection error code). Redirects are not
 * followed. Each emulator decides what acknowledges a notification and how it retries.
 */

export interface PostOutcome {
  statusCode?: number;
  /** The reply body, when one was read. */
  reply?: string;
  error?: string;
}

export class NotificationPoster {
  private readonly inFlight = new Set<http.ClientRequest>();

  /** `replyLimit`: stop keeping reply chunks once this many bytes are held. */
  post(target: string, body: string, headers: Record<string, string | number>, timeoutMs: number, replyLimit = Infinity): Promise<PostOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      let req: http.ClientRequest | undefined;
      const finish = (outcome: PostOutcome) => {
        if (settled) return;
        settled = true;
        if (req) this.inFlight.delete(req);
        resolve(outcome);
      };
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        finish({ error: 'invalid notify_url' });
        return;
      }
      const transport = url.protocol === 'https:' ? https : http;
      req = transport.request(url, { method: 'POST', headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let held = 0;
        res.on('data', (chunk: Buffer) => {
          if (held >= replyLimit) return;
          chunks.push(chunk);
          held += chunk.length;
        });
        res.on('end', () => finish({ statusCode: res.statusCode, reply: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => finish({ error: err.message }));
      });
      this.inFlight.add(req);
      req.on('timeout', () => {
        req!.destroy();
        finish({ error: `timeout after ${timeoutMs} ms` });
      });
      req.on('error', (err) => finish({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
      req.end(body);
    });
  }

  /** Cuts every request still waiting for its reply. */
  abortAll(): void {
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
  }
}
