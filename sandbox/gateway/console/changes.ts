import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The console's live feed: `GET /sandbox/console/events` is a server-sent event stream that says
 * `changed` (at most every COALESCE_MS) whenever the gateway's state, its faults or its request
 * log moved; the page then fetches what it shows. A comment line every KEEPALIVE_MS keeps proxies
 * from closing an idle stream.
 */

const COALESCE_MS = 100;
const KEEPALIVE_MS = 15_000;

export class ChangeFeed {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private version = 0;

  /** Something changed: every open stream hears about it shortly. */
  changed(): void {
    this.version++;
    if (this.timer || this.clients.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.broadcast(`event: changed\ndata: ${this.version}\n\n`);
    }, COALESCE_MS);
  }

  /** Holds the response open as an event stream until the browser goes away or close(). */
  subscribe(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(`retry: 1000\nevent: changed\ndata: ${this.version}\n\n`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
    this.keepalive ??= setInterval(() => this.broadcast(': keepalive\n\n'), KEEPALIVE_MS);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.keepalive) clearInterval(this.keepalive);
    this.timer = this.keepalive = undefined;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private broadcast(text: string): void {
    for (const res of this.clients) res.write(text);
    if (this.clients.size === 0 && this.keepalive) {
      clearInterval(this.keepalive);
      this.keepalive = undefined;
    }
  }
}
