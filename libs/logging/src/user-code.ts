import { objectKey, UserCodeError, type InformerEvent } from '@rxinformer/core';

/** Reports one failure of user code: `source` names it, `event` is what it was logging. */
export type FailureReporter = (source: string, event: InformerEvent | undefined, cause: unknown) => void;

/** The key a report names an event by: its object's `namespace/name`, never its content. */
function keyOf(event: InformerEvent | undefined): string | undefined {
  try {
    return event === undefined || event.type === 'SYNCED' ? undefined : objectKey(event.object) || undefined;
  } catch {
    // An event whose object cannot be read is named by nothing.
    return undefined;
  }
}

/**
 * A reporter for one subscription: each failure becomes a {@link UserCodeError} given to
 * `onError` with the running count of failures. A throwing `onError` is ignored: there is
 * nothing left to report to, and the data path must go on.
 */
export function failureReporter(
  onError: ((error: UserCodeError, failures: number) => void) | undefined,
): FailureReporter {
  let failures = 0;
  return (source, event, cause) => {
    failures++;
    if (onError === undefined) return;
    try {
      onError(new UserCodeError('callback', keyOf(event), cause, { source }), failures);
    } catch {
      // See above.
    }
  };
}

/** What kind of error `err` is, without its message (which may repeat what it failed on). */
export function errorKind(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
