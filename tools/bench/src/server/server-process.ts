import { PodCorpus } from './pod-corpus.js';
import { ReplayServer, type ServeConfig } from './replay-server.js';

/** Messages the bench sends to its server process (over the fork IPC channel). */
export type ServerRequest =
  | { readonly id: number; readonly op: 'configure'; readonly config: ServeConfig }
  | { readonly id: number; readonly op: 'requests' }
  | { readonly id: number; readonly op: 'expire' }
  | { readonly id: number; readonly op: 'nextWatch' }
  | { readonly id: number; readonly op: 'close' };

/** What the server process announces once it listens. */
export interface ServerReady {
  readonly ready: true;
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly objects: number;
  /** Average JSON bytes of a pod as listed, and without managedFields. */
  readonly averageBytes: number;
  readonly averageStrippedBytes: number;
}

// The server runs in its own process so its writes do not share an event loop with the
// orchestrator; subjects run in processes of their own.
const objects = Number(process.argv[2] ?? 10_000);
const bytes = Number(process.argv[3] ?? 7000);
const corpus = await PodCorpus.generate(objects, { bytes });
const server = await ReplayServer.start(corpus);
const send = (message: unknown) => process.send?.(message);
send({
  ready: true,
  url: server.url,
  kubeconfigPath: server.kubeconfigPath,
  objects,
  averageBytes: corpus.averageBytes,
  averageStrippedBytes: corpus.averageStrippedBytes,
} satisfies ServerReady);

process.on('message', (message: ServerRequest) => {
  const reply = (result: unknown) => send({ id: message.id, result });
  switch (message.op) {
    case 'configure':
      server.configure(message.config);
      return reply(true);
    case 'requests':
      return reply(server.requests);
    case 'expire':
      return reply(server.expireWatches());
    case 'nextWatch':
      return void server.nextWatch().then(() => reply(true));
    case 'close':
      return void server.close().then(() => {
        reply(true);
        process.disconnect?.();
        process.exit(0);
      });
  }
});
process.on('disconnect', () => process.exit(0));
