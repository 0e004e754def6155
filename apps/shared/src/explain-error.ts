import {
  ConnectionError,
  ForbiddenError,
  InvalidRequestError,
  KubeConfigError,
  ResourceNotFoundError,
  UnauthorizedError,
} from '@rxinformer/core';
import { UsageError } from './flags.js';

/**
 * Turns an error into one line that says what is wrong and what to do about it: bad flags,
 * kubeconfig problems, an unreachable API server, 401, 403 (with the `kubectl auth can-i`
 * command to check), a resource the cluster does not serve, a bad selector, a port in use.
 *
 * @example
 * ```ts
 * const connection = await connect({ simulator: { pods: 100 } });
 * pods.events$.subscribe({ error: (e) => fail(explainError(e, { server: connection.server })) });
 * ```
 */
export function explainError(error: unknown, where: { server?: string } = {}): string {
  const server = where.server ? ` at ${where.server}` : '';
  if (error instanceof UsageError) return `${error.message} (run with --help to see the flags)`;
  if (error instanceof KubeConfigError) return error.message;
  if (error instanceof ConnectionError) {
    if (error.tls)
      return `TLS verification of the API server${server} failed (${error.code}): check the kubeconfig's certificate-authority data`;
    return `cannot reach the Kubernetes API server${server} (${error.code}): check that the cluster is running and that --kubeconfig/--context point to it`;
  }
  if (error instanceof UnauthorizedError)
    return `the API server${server} rejected the credentials (401 Unauthorized): log in again or check the kubeconfig's user`;
  if (error instanceof ForbiddenError) {
    const { verb, resource, namespace } = error.context;
    const ns = namespace ? ` -n ${namespace}` : ' -A';
    return `forbidden: the kubeconfig's user may not ${verb} ${resource}${namespace ? ` in namespace "${namespace}"` : ''}: grant it with RBAC (check with "kubectl auth can-i ${verb} ${resource}${ns}") or use another --context`;
  }
  if (error instanceof ResourceNotFoundError)
    return `the API server${server} does not serve ${error.context.resource}: is the resource (or its CRD) installed?`;
  if (error instanceof InvalidRequestError)
    return `the API server refused the request: ${error.status.message ?? error.reason}: check --selector and the other flags`;
  const errno = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (errno?.code === 'EADDRINUSE')
    return `${errno.address ?? 'the address'}:${errno.port ?? '?'} is already in use: choose another port (0 picks a free one)`;
  if (errno?.code === 'EADDRNOTAVAIL')
    return `cannot listen on ${errno.address ?? 'that address'}: it is not an address of this machine (check --host)`;
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
