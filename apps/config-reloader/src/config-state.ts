import { createHash } from 'node:crypto';
import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import type { Wire } from '@rxinformer/core';

/**
 * The configuration to apply: the files of the ConfigMap and of the Secret (decoded), each
 * `undefined` while its object does not exist, and a version that changes exactly when a file does.
 *
 * @example
 * ```ts
 * const configMap = { metadata: { name: 'web-config' }, data: { 'app.properties': 'name=web\n' } };
 * const state = configState(configMap, undefined);
 * state.configMap?.['app.properties']?.toString(); // 'name=web\n'
 * ```
 */
export interface ConfigState {
  readonly configMap: Readonly<Record<string, Buffer>> | undefined;
  readonly secret: Readonly<Record<string, Buffer>> | undefined;
  /** 12 hex digits of a SHA-256 over every key and value. */
  readonly version: string;
}

/**
 * The files a ConfigMap holds: `data` as UTF-8, `binaryData` decoded from base64.
 *
 * @example
 * ```ts
 * configMapFiles({ data: { a: 'x' }, binaryData: { b: 'eQ==' } }); // { a: Buffer('x'), b: Buffer('y') }
 * ```
 */
export function configMapFiles(configMap: Wire<V1ConfigMap>): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(configMap.data ?? {})) files[key] = Buffer.from(value, 'utf8');
  for (const [key, value] of Object.entries(configMap.binaryData ?? {}))
    files[key] = Buffer.from(value, 'base64');
  return files;
}

/**
 * The files a Secret holds: `data` decoded from base64 (`stringData` is write-only and never read back).
 *
 * @example
 * ```ts
 * secretFiles({ data: { password: 'aHVudGVyMg==' } }).password?.toString(); // 'hunter2'
 * ```
 */
export function secretFiles(secret: Wire<V1Secret>): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) files[key] = Buffer.from(value, 'base64');
  return files;
}

/**
 * Builds the {@link ConfigState} of a ConfigMap and an optional Secret.
 *
 * @example
 * ```ts
 * const cm = { metadata: { name: 'web-config' }, data: { 'app.properties': 'name=web\n' } };
 * const a = configState(cm, undefined);
 * const b = configState({ ...cm, metadata: { ...cm.metadata, annotations: { note: 'new' } } }, undefined);
 * a.version === b.version; // true: only the files count
 * ```
 */
export function configState(
  configMap: Wire<V1ConfigMap> | undefined,
  secret: Wire<V1Secret> | undefined,
): ConfigState {
  const cm = configMap ? configMapFiles(configMap) : undefined;
  const sec = secret ? secretFiles(secret) : undefined;
  const hash = createHash('sha256');
  for (const [part, files] of [
    ['configmap', cm],
    ['secret', sec],
  ] as const) {
    hash.update(`${part}:${files === undefined ? '-' : '+'}\0`);
    for (const key of Object.keys(files ?? {}).sort())
      hash.update(`${key}\0${files![key]!.length}\0`).update(files![key]!);
  }
  return { configMap: cm, secret: sec, version: hash.digest('hex').slice(0, 12) };
}
