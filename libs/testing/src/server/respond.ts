import type { ServerResponse } from 'node:http';
import type { KubeStatusError } from '../api/status.js';

const JSON_TYPE = 'application/json';

/** Writes a complete JSON response. */
export function sendJson(
  res: ServerResponse,
  code: number,
  json: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) {
    if (!res.destroyed) res.end();
    return;
  }
  res.writeHead(code, {
    'Content-Type': JSON_TYPE,
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}

/** Writes a `Status` error response (with `Retry-After` when the Status carries retryAfterSeconds). */
export function sendStatus(res: ServerResponse, error: KubeStatusError): void {
  const retry = error.status.details?.retryAfterSeconds;
  sendJson(
    res,
    error.code,
    JSON.stringify(error.status),
    retry === undefined ? {} : { 'Retry-After': String(retry) },
  );
}

/**
 * Writes a large body in chunks, honouring backpressure: waits for 'drain' whenever the socket
 * buffer is full. Resolves false when the client went away.
 */
export async function writeChunks(res: ServerResponse, chunks: Iterable<string>): Promise<boolean> {
  for (const chunk of chunks) {
    if (res.destroyed) return false;
    if (!res.write(chunk)) {
      const ok = await new Promise<boolean>((resolve) => {
        const onDrain = (): void => {
          res.off('close', onClose);
          resolve(true);
        };
        const onClose = (): void => {
          res.off('drain', onDrain);
          resolve(false);
        };
        res.once('drain', onDrain);
        res.once('close', onClose);
      });
      if (!ok) return false;
    }
  }
  return true;
}
