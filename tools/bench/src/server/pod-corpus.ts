import { Pods } from '@rxinformer/core';
import { createKubeApiServer, populate } from '@rxinformer/testing';
import { SENT_ANNOTATION } from '../subjects/protocol.js';

const RV_MARK = '\u0001RV\u0001';
const TS_MARK = '\u0001TS\u0001';

/** A MODIFIED watch line with holes for the resourceVersion and the write time. */
export interface EventTemplate {
  readonly head: string;
  readonly middle: string;
  readonly tail: string;
}

/**
 * The objects every subject is served, generated once per run by `@rxinformer/testing`'s
 * `populate` (realistic ~7 KB pods with managedFields) and kept as serialized JSON, so serving
 * them costs the server a copy, not a `JSON.stringify`.
 */
export class PodCorpus {
  /** List items as the API server sends them: no apiVersion/kind. */
  readonly items: Buffer[];
  readonly resourceVersion: string;
  readonly averageBytes: number;
  /** Average JSON size of an item without `metadata.managedFields`. */
  readonly averageStrippedBytes: number;
  private metadataItems: Buffer[] | undefined;
  private readonly templates: EventTemplate[] = [];

  private constructor(items: Buffer[], resourceVersion: string) {
    this.items = items;
    this.resourceVersion = resourceVersion;
    this.averageBytes = average(items.map((item) => item.length));
    const sample = items.slice(0, 1000).map((item) => {
      const object = JSON.parse(item.toString('utf8')) as { metadata: { managedFields?: unknown } };
      delete object.metadata.managedFields;
      return Buffer.byteLength(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', ...object }));
    });
    this.averageStrippedBytes = average(sample);
  }

  static async generate(
    count: number,
    options: { seed?: number; bytes?: number; namespaces?: number } = {},
  ): Promise<PodCorpus> {
    const sim = await createKubeApiServer({ seed: options.seed ?? 7, historySize: 1 });
    try {
      await populate(sim, {
        count,
        namespaces: options.namespaces ?? 50,
        seed: options.seed ?? 7,
        bytes: options.bytes ?? 7000,
      });
      const pods = sim.list(Pods);
      const items = pods.map((pod) => {
        const { apiVersion: _a, kind: _k, ...rest } = pod as Record<string, unknown>;
        return Buffer.from(JSON.stringify(rest));
      });
      // A list's resourceVersion is above every item's; events continue from it.
      return new PodCorpus(items, String(Number(sim.resourceVersion) + 1));
    } finally {
      await sim.close();
    }
  }

  /** `PartialObjectMetadata` of each item, built on first use. */
  metadata(): Buffer[] {
    this.metadataItems ??= this.items.map((item) => {
      const { metadata } = JSON.parse(item.toString('utf8')) as { metadata: unknown };
      return Buffer.from(
        JSON.stringify({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata }),
      );
    });
    return this.metadataItems;
  }

  /** The MODIFIED template of item `index`, built on first use. */
  template(index: number): EventTemplate {
    let template = this.templates[index];
    if (!template) {
      const pod = JSON.parse(this.items[index]!.toString('utf8')) as {
        metadata: { resourceVersion?: string; annotations?: Record<string, string> };
      };
      pod.metadata.resourceVersion = RV_MARK;
      pod.metadata.annotations = { ...pod.metadata.annotations, [SENT_ANNOTATION]: TS_MARK };
      const json = JSON.stringify({ type: 'MODIFIED', object: { apiVersion: 'v1', kind: 'Pod', ...pod } });
      const [head, rest] = json.split(JSON.stringify(RV_MARK).slice(1, -1)) as [string, string];
      const [middle, tail] = rest.split(JSON.stringify(TS_MARK).slice(1, -1)) as [string, string];
      template = this.templates[index] = { head, middle, tail: `${tail}\n` };
    }
    return template;
  }
}

function average(values: readonly number[]): number {
  return values.length ? Math.round(values.reduce((n, v) => n + v, 0) / values.length) : 0;
}
