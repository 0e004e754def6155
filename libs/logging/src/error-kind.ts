/** What kind of error `err` is, without its message (which may repeat what it failed on). */
export function errorKind(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
