import type { IncomingMessage } from 'node:http';
import { ConnectionError, type RequestContext } from '../errors.js';

/**
 * Buffers a whole 2xx response body and hands it to `onBody`; a connection that closes or
 * fails before the end reaches `sink.error` as a {@link ConnectionError}. One chunk is passed on
 * as is, without a copy.
 */
export function collectBody(
  res: IncomingMessage,
  context: RequestContext,
  sink: { error(e: unknown): void },
  onBody: (body: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  let complete = false;
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => {
    complete = true;
    onBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  });
  res.on('aborted', () =>
    sink.error(
      new ConnectionError('the connection was closed before the response ended', 'ECONNRESET', context),
    ),
  );
  res.on('error', (e: NodeJS.ErrnoException) => {
    if (!complete)
      sink.error(
        new ConnectionError(`the response failed: ${e.message}`, e.code ?? 'ECONNRESET', context, {
          cause: e,
        }),
      );
  });
}
