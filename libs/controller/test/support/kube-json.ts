import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** One JSON request to the API server with the kubeconfig's credentials; rejects with `{ code, body }` on a non-2xx answer. */
export async function kubeJson<R = unknown>(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<R> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const options: https.RequestOptions = {
    method,
    hostname: server.hostname,
    port: server.port,
    path,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': contentType }) },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise<R>((resolve, reject) => {
    const req = (server.protocol === 'https:' ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 300)
          return reject(
            Object.assign(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`), {
              code: res.statusCode,
            }),
          );
        resolve((text ? JSON.parse(text) : {}) as R);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
