import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, request } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** What a {@link WriteAuditProxy} counted of the writes that went through it. */
export interface WriteAudit {
  /** Accepted creates, updates, patches (configmaps, deployments, websites and their status). */
  writes: number;
  /** 409 with reason `Conflict`: an update whose resourceVersion was not the stored one. */
  conflicts: number;
  /** 409 with reason `AlreadyExists`: a create of an object that exists. */
  alreadyExists: number;
  /**
   * Writes made on a cache older than the writer's own last write of that object: an update
   * whose `metadata.resourceVersion` is older than the version the server answered to this
   * proxy's previous accepted write of it, or a create of an object created through it before.
   */
  staleWrites: number;
}

/** The objects whose writes are audited: a reconciler's owned objects and its primary's status. */
const AUDITED = /\/namespaces\/[^/]+\/(configmaps|deployments|websites)(?:\/([^/?]+))?(\/status)?(?:\?|$)/;

const emptyAudit = (): WriteAudit => ({ writes: 0, conflicts: 0, alreadyExists: 0, staleWrites: 0 });

/** resourceVersions of kube-apiserver are etcd revisions: comparable as integers (the bench may rely on it, clients may not). */
const revision = (rv: unknown): bigint | undefined =>
  typeof rv === 'string' && /^\d+$/.test(rv) ? BigInt(rv) : undefined;

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function parse(body: Buffer): { metadata?: { name?: string; resourceVersion?: string }; reason?: string } {
  try {
    return JSON.parse(body.toString('utf8')) as ReturnType<typeof parse>;
  } catch {
    return {};
  }
}

/**
 * A plain-HTTP proxy on 127.0.0.1 in front of kube-apiserver's HTTPS port, for one client (an
 * operator replica): it forwards every request as is (watches streamed), and audits the
 * answers to writes of ConfigMaps, Deployments and Websites, so every 409 the client got is
 * counted, including those its code turned into a requeue. `cut()` drops every connection and
 * refuses new ones: the client is partitioned from the API server, as a killed pod is, without
 * releasing anything it holds (its Lease expires on its own).
 *
 * @example
 * ```ts
 * const proxy = await WriteAuditProxy.start(kube.server, kube.caPem);
 * const kc = proxyKubeConfig(proxy.url, kube.adminToken);
 * // … run the operator on kc …
 * console.log(proxy.audit.conflicts);
 * proxy.cut();
 * await proxy.close();
 * ```
 */
export class WriteAuditProxy {
  audit: WriteAudit = emptyAudit();
  private readonly sockets = new Set<Socket>();
  private readonly lastWritten = new Map<string, bigint>();
  private readonly created = new Set<string>();
  private readonly agent: Agent;
  private readonly upstream: URL;
  private cutOff = false;

  private constructor(
    private readonly server: Server,
    upstream: string,
    caPem: string,
  ) {
    this.upstream = new URL(upstream);
    this.agent = new Agent({ keepAlive: true, ca: caPem });
    server.on('connection', (socket: Socket) => {
      if (this.cutOff) return void socket.destroy();
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.forward(req, res));
  }

  /** Listens on an ephemeral port of 127.0.0.1, forwarding to `upstream` (https, trusting `caPem`). */
  static async start(upstream: string, caPem: string): Promise<WriteAuditProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new WriteAuditProxy(server, upstream, caPem);
  }

  /** `http://127.0.0.1:<port>`, the server URL for the client's kubeconfig. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Starts a new count (the history of what was written stays: staleness spans phases). */
  reset(): WriteAudit {
    const audit = this.audit;
    this.audit = emptyAudit();
    return audit;
  }

  /** Drops every connection now and refuses the next ones. */
  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req).catch(() => undefined);
    if (this.cutOff || body === undefined) return void req.socket.destroy();
    const path = req.url ?? '/';
    const match = req.method === 'GET' ? null : AUDITED.exec(path);
    const upstream = request(
      {
        hostname: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path,
        agent: this.agent,
        headers: { ...req.headers, host: this.upstream.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!match) return void up.pipe(res);
        void readAll(up).then(
          (answer) => {
            this.record(req.method ?? '', match, body, up.statusCode ?? 0, answer);
            res.end(answer);
          },
          () => res.destroy(),
        );
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy(); // the client went away (a watch it closed)
    });
    upstream.end(body);
  }

  private record(method: string, match: RegExpExecArray, sent: Buffer, status: number, answer: Buffer): void {
    const [, plural, pathName, status_] = match;
    const sentObject = parse(sent);
    const name = pathName ?? sentObject.metadata?.name;
    if (!name) return;
    const id = `${plural}/${name}${status_ ?? ''}`;
    // A status write and a spec write of a Website version the same object.
    const objectId = `${plural}/${name}`;
    const sentVersion = revision(sentObject.metadata?.resourceVersion);
    const last = this.lastWritten.get(objectId);
    const create = method === 'POST' && !pathName;
    if (
      (create && this.created.has(id)) ||
      (sentVersion !== undefined && last !== undefined && sentVersion < last)
    )
      this.audit.staleWrites++;
    if (status === 409) {
      if (parse(answer).reason === 'AlreadyExists') this.audit.alreadyExists++;
      else this.audit.conflicts++;
      return;
    }
    if (status < 200 || status >= 300) return;
    this.audit.writes++;
    if (create) this.created.add(id);
    const version = revision(parse(answer).metadata?.resourceVersion);
    if (version !== undefined) this.lastWritten.set(objectId, version);
  }
}
