import * as http from 'node:http';
import * as https from 'node:https';

type TlsMaterial = Pick<
  https.AgentOptions,
  'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'rejectUnauthorized' | 'servername'
>;
const FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function same(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  return a === b;
}

/**
 * Keeps one keep-alive agent for as long as the TLS material a kubeconfig yields stays the
 * same. client-node's `applyToHTTPSOptions` builds a new agent per call, which would cost a
 * TLS handshake per LIST page; rotated client certificates (exec plugins) still take effect,
 * because a change of material replaces the agent.
 */
export class TlsAgentPool {
  private material: TlsMaterial | undefined;
  private agent: http.Agent | undefined;
  private readonly retired: http.Agent[] = [];

  agentFor(options: https.RequestOptions, secure: boolean): http.Agent {
    const material: TlsMaterial = {};
    for (const field of FIELDS)
      if (options[field] !== undefined) (material as Record<string, unknown>)[field] = options[field];
    if (this.agent && this.material && FIELDS.every((f) => same(this.material![f], material[f])))
      return this.agent;
    if (this.agent) this.retired.push(this.agent);
    this.material = material;
    this.agent = secure
      ? new https.Agent({ keepAlive: true, scheduling: 'lifo', ...material })
      : new http.Agent({ keepAlive: true, scheduling: 'lifo' });
    return this.agent;
  }

  destroy(): void {
    this.agent?.destroy();
    for (const agent of this.retired) agent.destroy();
    this.retired.length = 0;
    this.agent = undefined;
    this.material = undefined;
  }
}
