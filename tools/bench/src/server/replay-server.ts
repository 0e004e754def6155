import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { kubeconfigDocument, loopbackCertificates } from '@rxinformer/testing';
import type { PodCorpus } from './pod-corpus.js';

/**
 * What every WATCH opened after the initial state gets:
 * - `idle`: nothing (the watch stays open);
 * - `burst`: `events` MODIFIED events as fast as the client reads them;
 * - `paced`: `events` MODIFIED events at `ratePerSecond`, each stamped with its write time.
 * Events cycle over the first `pods` objects, with resourceVersions above the list's.
 */
export type WatchScript =
  | { readonly kind: 'idle' }
  | { readonly kind: 'burst'; readonly events: number; readonly pods: number }
  | {
      readonly kind: 'paced';
      readonly events: number;
      readonly pods: number;
      readonly ratePerSecond: number;
    };

export interface ServeConfig {
  /** How many corpus objects LIST and the initial events of a WatchList serve. */
  readonly objects: number;
  readonly watch: WatchScript;
}

export interface RequestCounts {
  readonly list: number;
  /** Plain WATCH requests (not streaming lists). */
  readonly watch: number;
  /** WATCH requests with `sendInitialEvents=true`. */
  readonly watchList: number;
}

const BURST_CHUNK = 32;
const STATUS_EXPIRED = JSON.stringify({
  type: 'ERROR',
  object: {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'too old resource version: 1 (2)',
    reason: 'Expired',
    code: 410,
  },
});

/**
 * A minimal HTTPS API server for benchmarks: it serves one {@link PodCorpus} at
 * `/api/v1/pods` as paginated LISTs, streaming lists and WATCHes of pre-serialized lines, so
 * the server writes far faster than any client reads and every subject gets the same bytes.
 * It answers only what informers ask for pods; it is not a simulator (see `@rxinformer/testing`).
 */
export class ReplayServer {
  private config: ServeConfig = { objects: 0, watch: { kind: 'idle' } };
  private counts = { list: 0, watch: 0, watchList: 0 };
  private readonly openWatches = new Set<ServerResponse>();
  private readonly watchListeners: Array<() => void> = [];
  private nextResourceVersion: number;

  private constructor(
    private readonly server: Server,
    readonly corpus: PodCorpus,
    readonly url: string,
    readonly kubeconfigPath: string,
  ) {
    this.nextResourceVersion = Number(corpus.resourceVersion) + 1;
  }

  static async start(corpus: PodCorpus): Promise<ReplayServer> {
    const certs = loopbackCertificates();
    const server = createServer({ cert: certs.certPem, key: certs.keyPem, noDelay: true, keepAlive: true });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'rxinformer-bench-'));
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigDocument({ url, caPem: certs.caPem, token: 'bench' }), {
      mode: 0o600,
    });
    const replay = new ReplayServer(server, corpus, url, kubeconfigPath);
    server.on('request', (req, res) => replay.handle(req, res));
    return replay;
  }

  /** Sets what the next requests get and resets the request counts. */
  configure(config: ServeConfig): void {
    if (config.objects > this.corpus.items.length)
      throw new RangeError(`the corpus holds ${this.corpus.items.length} objects, not ${config.objects}`);
    this.config = config;
    this.counts = { list: 0, watch: 0, watchList: 0 };
  }

  get requests(): RequestCounts {
    return { ...this.counts };
  }

  /** Ends every open watch with a 410 Expired ERROR event, as after etcd compaction. */
  expireWatches(): number {
    const n = this.openWatches.size;
    for (const res of this.openWatches) res.end(`${STATUS_EXPIRED}\n`);
    this.openWatches.clear();
    return n;
  }

  /** Resolves at the next WATCH request (of either kind). */
  nextWatch(): Promise<void> {
    return new Promise((resolve) => this.watchListeners.push(resolve));
  }

  /** Ends open watches and closes the server. */
  async close(): Promise<void> {
    for (const res of this.openWatches) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://bench');
    if (url.pathname === '/version')
      return json(res, 200, { major: '1', minor: '37', gitVersion: 'v1.37.2', platform: 'linux/amd64' });
    if (url.pathname !== '/api/v1/pods' || req.method !== 'GET') {
      return json(res, 404, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        code: 404,
      });
    }
    const metadataOnly = (req.headers.accept ?? '').includes('as=PartialObjectMetadata');
    const q = url.searchParams;
    if (q.get('watch') === '1' || q.get('watch') === 'true')
      return void this.watch(res, q.get('sendInitialEvents') === 'true', metadataOnly);
    this.list(res, Number(q.get('limit') ?? 0), q.get('continue') ?? '', metadataOnly);
  }

  private list(res: ServerResponse, limit: number, token: string, metadataOnly: boolean): void {
    this.counts.list++;
    const total = this.config.objects;
    const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
    const end = limit > 0 ? Math.min(total, start + limit) : total;
    const more = end < total;
    const meta = JSON.stringify({
      resourceVersion: this.corpus.resourceVersion,
      ...(more
        ? { continue: Buffer.from(String(end)).toString('base64url'), remainingItemCount: total - end }
        : {}),
    });
    const [apiVersion, kind] = metadataOnly
      ? ['meta.k8s.io/v1', 'PartialObjectMetadataList']
      : ['v1', 'PodList'];
    const items = metadataOnly ? this.corpus.metadata() : this.corpus.items;
    const head = Buffer.from(`{"kind":"${kind}","apiVersion":"${apiVersion}","metadata":${meta},"items":[`);
    const parts: Buffer[] = [head];
    let length = head.length + 2;
    for (let i = start; i < end; i++) {
      if (i > start) parts.push(COMMA);
      parts.push(items[i]!);
      length += items[i]!.length + (i > start ? 1 : 0);
    }
    parts.push(CLOSE_LIST);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': length });
    res.cork();
    for (const part of parts) res.write(part);
    res.end();
    res.uncork();
  }

  private async watch(res: ServerResponse, sendInitialEvents: boolean, metadataOnly: boolean): Promise<void> {
    if (sendInitialEvents) this.counts.watchList++;
    else this.counts.watch++;
    for (const listener of this.watchListeners.splice(0)) listener();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    this.openWatches.add(res);
    res.on('close', () => this.openWatches.delete(res));
    const config = this.config;
    if (sendInitialEvents) {
      const items = metadataOnly ? this.corpus.metadata() : this.corpus.items;
      const prefix = Buffer.from(
        `{"type":"ADDED","object":{"apiVersion":"${metadataOnly ? 'meta.k8s.io/v1' : 'v1'}","kind":"${metadataOnly ? 'PartialObjectMetadata' : 'Pod'}",`,
      );
      for (let i = 0; i < config.objects; i += 256) {
        const parts: Buffer[] = [];
        for (let j = i; j < Math.min(config.objects, i + 256); j++) {
          const item = items[j]!;
          // Metadata items already carry their type meta: skip ours.
          parts.push(
            metadataOnly ? ADDED_PLAIN : prefix,
            metadataOnly ? item : item.subarray(1),
            CLOSE_EVENT,
          );
        }
        if (!(await write(res, Buffer.concat(parts)))) return;
      }
      const bookmark = {
        type: 'BOOKMARK',
        object: {
          kind: 'Pod',
          apiVersion: 'v1',
          metadata: {
            resourceVersion: this.corpus.resourceVersion,
            annotations: { 'k8s.io/initial-events-end': 'true' },
          },
        },
      };
      if (!(await write(res, `${JSON.stringify(bookmark)}\n`))) return;
    }
    const script = config.watch;
    if (script.kind === 'idle' || metadataOnly) return;
    const pods = Math.min(script.pods, config.objects);
    const rv0 = this.nextResourceVersion;
    this.nextResourceVersion += script.events;
    const line = (k: number, sent: string): string => {
      const t = this.corpus.template(k % pods);
      return t.head + String(rv0 + k) + t.middle + sent + t.tail;
    };
    if (script.kind === 'burst') {
      for (let k = 0; k < script.events;) {
        const sent = now();
        let chunk = '';
        for (const end = Math.min(script.events, k + BURST_CHUNK); k < end; k++) chunk += line(k, sent);
        if (!(await write(res, chunk))) return;
      }
      return;
    }
    const startedAt = performance.now();
    for (let k = 0; k < script.events;) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (res.destroyed || res.writableEnded) return;
      const due = Math.min(
        script.events,
        Math.floor(((performance.now() - startedAt) * script.ratePerSecond) / 1000),
      );
      if (due <= k) continue;
      const sent = now();
      let chunk = '';
      for (; k < due; k++) chunk += line(k, sent);
      if (!(await write(res, chunk))) return;
    }
  }
}

const COMMA = Buffer.from(',');
const CLOSE_LIST = Buffer.from(']}');
const CLOSE_EVENT = Buffer.from('}\n');
const ADDED_PLAIN = Buffer.from('{"type":"ADDED","object":');

function now(): string {
  return (performance.timeOrigin + performance.now()).toFixed(3);
}

/** Writes with backpressure; false once the response is gone. */
async function write(res: ServerResponse, data: string | Buffer): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (!res.write(data)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
  return !res.destroyed && !res.writableEnded;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
