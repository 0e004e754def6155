import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RequestCounts, ServeConfig } from './replay-server.js';
import type { ServerReady, ServerRequest } from './server-process.js';

type Op = ServerRequest['op'];

/** The bench's handle on its server process. */
export class ServerClient {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly ready: ServerReady,
  ) {
    child.on('message', (message: { id?: number; result?: unknown }) => {
      if (message.id === undefined) return;
      this.pending.get(message.id)?.(message.result);
      this.pending.delete(message.id);
    });
  }

  /** Forks the server process, which generates `objects` pods of about `bytes` each. */
  static async start(objects: number, bytes: number): Promise<ServerClient> {
    const entry = fileURLToPath(new URL('./server-process.ts', import.meta.url));
    const child = fork(entry, [String(objects), String(bytes)], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<ServerReady>((resolve, reject) => {
      child.once('message', (m: ServerReady) => resolve(m));
      child.once('exit', (code) =>
        reject(new Error(`the bench server exited (${code}) before it was ready`)),
      );
    });
    return new ServerClient(child, ready);
  }

  get kubeconfigPath(): string {
    return this.ready.kubeconfigPath;
  }

  configure(config: ServeConfig): Promise<unknown> {
    return this.call('configure', { config });
  }

  requests(): Promise<RequestCounts> {
    return this.call('requests') as Promise<RequestCounts>;
  }

  expireWatches(): Promise<number> {
    return this.call('expire') as Promise<number>;
  }

  nextWatch(): Promise<unknown> {
    return this.call('nextWatch');
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    void this.call('close');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  private call(op: Op, extra: object = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, op, ...extra });
    });
  }
}
