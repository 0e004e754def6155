import type { IncomingMessage } from 'node:http';
import type { Subscriber } from 'rxjs';
import { ConnectionError, DecodeError, type RequestContext } from '../errors.js';
import type { KubeObject } from '../resources/kube-object.js';
import { connectionError } from './http-errors.js';
import { LineDecoder } from './line-decoder.js';
import type { WatchEvent } from './types.js';

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/**
 * Parses one watch line and checks that it is a watch event: a known `type` and an `object`.
 * Throws {@link DecodeError}, quoting the line, otherwise.
 */
export function parseWatchLine<T extends KubeObject>(line: string, context: RequestContext): WatchEvent<T> {
  let event: WatchEvent<T>;
  try {
    event = JSON.parse(line) as WatchEvent<T>;
  } catch {
    throw new DecodeError('a watch line is not JSON', line, context);
  }
  if (
    event === null ||
    typeof event !== 'object' ||
    !WATCH_TYPES.has(event.type) ||
    typeof event.object !== 'object' ||
    event.object === null
  ) {
    throw new DecodeError('a watch line is not a watch event', line, context);
  }
  return event;
}

/**
 * Frames a WATCH response body into events for `subscriber`: one event per line, completing
 * when the server ends the body. A line that is not an event, a body cut mid-line or longer than
 * the decoder's limit is a {@link DecodeError} (and closes the response); a connection that
 * breaks is a {@link ConnectionError}. `ERROR` events are passed on as data.
 */
export function decodeWatch<T extends KubeObject>(
  res: IncomingMessage,
  subscriber: Subscriber<WatchEvent<T>>,
  context: RequestContext,
  origin: string,
): void {
  const decoder = new LineDecoder();
  // One closure per response, none per event: this is the informer's hot path.
  const onLine = (line: string) => subscriber.next(parseWatchLine<T>(line, context));
  res.on('data', (chunk: Buffer) => {
    if (subscriber.closed) return;
    try {
      decoder.push(chunk, onLine);
    } catch (e) {
      subscriber.error(
        e instanceof DecodeError ? e : new DecodeError((e as Error).message, decoder.sample(), context),
      );
      res.destroy();
    }
  });
  res.on('end', () => {
    if (decoder.buffered > 0)
      subscriber.error(
        new DecodeError('the watch stream ended in the middle of a line', decoder.sample(), context),
      );
    else subscriber.complete();
  });
  res.on('error', (e) => subscriber.error(connectionError(e, context, origin)));
  res.on('aborted', () =>
    subscriber.error(
      new ConnectionError('the watch connection was closed mid-stream', 'ECONNRESET', context),
    ),
  );
}
