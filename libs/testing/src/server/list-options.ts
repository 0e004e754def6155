import { StatusErrors } from '../api/status.js';
import { parseFieldSelector, type FieldSelector } from '../selectors/field-selector.js';
import { parseLabelSelector, type LabelSelector } from '../selectors/label-selector.js';
import type { ServedResource } from '../store/served-resource.js';

/** The query parameters of a LIST or WATCH, parsed and validated. */
export interface ListOptions {
  readonly watch: boolean;
  readonly labelSelector: LabelSelector;
  readonly fieldSelector: FieldSelector;
  readonly limit: number | undefined;
  readonly continueToken: string | undefined;
  /** undefined when absent or empty. */
  readonly resourceVersion: string | undefined;
  readonly resourceVersionMatch: 'Exact' | 'NotOlderThan' | undefined;
  readonly allowWatchBookmarks: boolean;
  readonly sendInitialEvents: boolean | undefined;
  readonly timeoutSeconds: number | undefined;
}

const truthy = (value: string | null): boolean => value === 'true' || value === '1';

function invalid(field: string, detail: string): never {
  throw StatusErrors.invalid('ListOptions', 'meta.k8s.io', '', [
    { reason: 'FieldValueForbidden', message: detail, field },
  ]);
}

/** Parses and validates list/watch query parameters the way the API server does (400 or 422 on bad input). */
export function parseListOptions(
  query: URLSearchParams,
  served: ServedResource,
  forceWatch: boolean,
): ListOptions {
  const watch = forceWatch || truthy(query.get('watch'));
  const limitText = query.get('limit');
  const limit = limitText === null || limitText === '' ? undefined : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw StatusErrors.badRequest(`limit: Invalid value: "${limitText}": must be a non-negative integer`);
  }
  const resourceVersion = query.get('resourceVersion') || undefined;
  if (resourceVersion !== undefined && !/^\d+$/.test(resourceVersion)) {
    throw StatusErrors.badRequest(`invalid resource version "${resourceVersion}"`);
  }
  const match = query.get('resourceVersionMatch') || undefined;
  if (match !== undefined && match !== 'Exact' && match !== 'NotOlderThan') {
    invalid(
      'resourceVersionMatch',
      `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan", ""`,
    );
  }
  const sendInitialEventsText = query.get('sendInitialEvents');
  const sendInitialEvents = sendInitialEventsText === null ? undefined : truthy(sendInitialEventsText);
  const allowWatchBookmarks = truthy(query.get('allowWatchBookmarks'));
  const continueToken = query.get('continue') || undefined;
  if (watch) {
    if (sendInitialEvents !== undefined) {
      if (match !== 'NotOlderThan')
        invalid(
          'resourceVersionMatch',
          `Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan`,
        );
      if (sendInitialEvents && !allowWatchBookmarks)
        invalid(
          'allowWatchBookmarks',
          `Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true`,
        );
    } else if (match !== undefined) {
      invalid(
        'resourceVersionMatch',
        'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
      );
    }
  } else {
    if (sendInitialEvents !== undefined)
      invalid('sendInitialEvents', 'Forbidden: sendInitialEvents is forbidden for list');
    if (match !== undefined && resourceVersion === undefined) {
      invalid(
        'resourceVersionMatch',
        'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
    }
    if (match === 'Exact' && resourceVersion === '0')
      invalid(
        'resourceVersionMatch',
        'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      );
    if (continueToken !== undefined && resourceVersion !== undefined && resourceVersion !== '0') {
      invalid('resourceVersion', 'Forbidden: specifying resource version is not allowed when using continue');
    }
  }
  const timeoutText = query.get('timeoutSeconds');
  const timeoutSeconds = timeoutText === null || timeoutText === '' ? undefined : Number(timeoutText);
  if (timeoutSeconds !== undefined && (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)) {
    throw StatusErrors.badRequest(`timeoutSeconds: Invalid value: "${timeoutText}"`);
  }
  return {
    watch,
    labelSelector: parseLabelSelector(query.get('labelSelector') ?? undefined),
    fieldSelector: parseFieldSelector(query.get('fieldSelector') ?? undefined, served.table.fields),
    // Like kube-apiserver, a list from the watch cache (resourceVersion "0") ignores limit.
    limit: !watch && resourceVersion === '0' && continueToken === undefined ? undefined : limit,
    continueToken,
    resourceVersion,
    resourceVersionMatch: match as ListOptions['resourceVersionMatch'],
    allowWatchBookmarks,
    sendInitialEvents,
    timeoutSeconds,
  };
}
