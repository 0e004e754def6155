import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { LoopbackCertificates } from '../tls/self-signed.js';

/**
 * The HTTPS listener on 127.0.0.1: keep-alive connections that it tracks, so it can close them
 * all at once (close, restart) and listen again on the same or another port.
 */
export class HttpsListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private closing = false;

  constructor(tls: LoopbackCertificates, handler: (req: IncomingMessage, res: ServerResponse) => void) {
    this.server = createServer({ cert: tls.certPem, key: tls.keyPem }, handler);
    // Watches last minutes; the request timeout would cut them, the real server keeps them open.
    this.server.keepAliveTimeout = 65_000;
    this.server.requestTimeout = 0;
    // Every TCP connection, from accept on: one still in its TLS handshake when the listener
    // closes must die too, or a client that reconnects at once keeps the old server alive on it
    // (as a real server process that stops takes all its connections with it).
    this.server.on('connection', (socket: Socket) => {
      if (this.closing) return void socket.destroy();
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on `port` (0: a free one); resolves with the port. */
  listen(port: number): Promise<number> {
    this.closing = false;
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  /** Destroys every connection and stops listening. */
  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }
}
