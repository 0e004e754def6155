import type { ReloadActions, ReloadResult } from './reload-actions.js';

/**
 * A reload result as one log entry: a message a person reads and fields a machine reads. File
 * names are logged, their content never is.
 *
 * @example
 * ```ts
 * const actions: ReloadActions = { dir: '/etc/app', exec: 'nginx -s reload' };
 * const result = await reloader(actions)(configState({ data: { 'app.properties': 'workers=4\n' } }, undefined));
 * const { message, fields } = describeReload(result, actions);
 * logger.info(fields, message); // 'reloaded config 3f2a9c01b7de: wrote 3 files to /etc/app, ran "nginx -s reload" (exit 0)'
 * ```
 */
export function describeReload(
  result: ReloadResult,
  actions: ReloadActions,
): { message: string; fields: Record<string, unknown> } {
  const steps: string[] = [];
  if (actions.dir) {
    const removed = result.files.removed.length > 0 ? `, removed ${result.files.removed.length}` : '';
    steps.push(
      `wrote ${result.files.written.length} file${result.files.written.length === 1 ? '' : 's'} to ${actions.dir}${removed}`,
    );
  }
  if (result.exec)
    steps.push(
      `ran "${actions.exec}" (${result.exec.code === null ? `killed by ${result.exec.signal}` : `exit ${result.exec.code}`})`,
    );
  if (result.signaled !== undefined)
    steps.push(`sent ${actions.signal ?? 'SIGHUP'} to process ${result.signaled}`);
  const fields = {
    version: result.version,
    ok: result.ok,
    written: result.files.written,
    removed: result.files.removed,
    ...(result.exec
      ? { exec: { code: result.exec.code, signal: result.exec.signal, output: result.exec.output } }
      : {}),
    ...(result.signaled !== undefined ? { signaled: result.signaled } : {}),
  };
  if (!result.ok)
    return {
      message: `reload of config ${result.version} failed: ${result.error}${steps.length > 0 ? ` (after: ${steps.join(', ')})` : ''}`,
      fields,
    };
  return {
    message: `reloaded config ${result.version}${steps.length > 0 ? `: ${steps.join(', ')}` : ' (nothing to do: no --dir, --exec or --pid)'}`,
    fields,
  };
}
