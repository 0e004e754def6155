import type { ServerResponse } from 'node:http';

/**
 * The open Server-Sent Events streams of the page: writes each message to every client, and
 * drops a client whose unsent output grows beyond `maxBufferedBytes` (its browser reconnects and
 * starts over from a fresh snapshot) rather than buffering without bound.
 *
 * @example
 * ```ts
 * import type { ServerResponse } from 'node:http';
 *
 * declare const res: ServerResponse; // a request's response
 * const hub = new SseHub();
 * hub.add(res, [{ event: 'snapshot', data: { pods: [] } }]);
 * hub.broadcast('changes', [{ resource: 'pods', key: 'shop/web-1', row: undefined }]);
 * ```
 */
export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly maxBufferedBytes = 16 * 1024 * 1024) {
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), 15_000);
    this.heartbeat.unref();
  }

  /** How many pages are connected. */
  get size(): number {
    return this.clients.size;
  }

  /** Starts an event stream on `res` and sends it the `first` messages (before any broadcast). */
  add(res: ServerResponse, first: readonly { event: string; data: unknown }[]): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    for (const message of first) res.write(frame(message.event, message.data));
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  /** Sends one message to every client; returns how many received it. */
  broadcast(event: string, data: unknown): number {
    if (this.clients.size === 0) return 0;
    return this.write(frame(event, data));
  }

  /** Ends every stream. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private write(text: string): number {
    let sent = 0;
    for (const res of this.clients) {
      if (res.writableLength > this.maxBufferedBytes) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(text);
      sent++;
    }
    return sent;
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
