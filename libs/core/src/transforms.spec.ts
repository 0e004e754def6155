import { describe, expect, it } from 'vitest';
import { deepFreeze, internStrings, stripManagedFields, type KubeObject } from './index.js';

const pod = (name: string): KubeObject & { spec: { containers: { image: string; args: string[] }[] } } => ({
  metadata: { name, namespace: 'shop', labels: { app: 'web' }, managedFields: [{ manager: 'kubectl' }] },
  spec: { containers: [{ image: 'nginx:1.27', args: ['--port', '8080', 'x'.repeat(100)] }] },
});

describe('transforms', () => {
  it('stripManagedFields removes managedFields and nothing else', () => {
    const stripped = stripManagedFields(pod('a'));
    expect(stripped.metadata).toEqual({ name: 'a', namespace: 'shop', labels: { app: 'web' } });
  });

  it('deepFreeze freezes every nested object and array', () => {
    const frozen = deepFreeze(pod('a'));
    expect(Object.isFrozen(frozen.metadata!.labels)).toBe(true);
    expect(Object.isFrozen(frozen.spec.containers[0]!.args)).toBe(true);
    expect(() => {
      (frozen.spec.containers[0]!.args as string[]).push('y');
    }).toThrow(TypeError);
  });

  it('internStrings keeps every value, nested in objects and arrays, and bounds its pool', () => {
    const intern = internStrings<ReturnType<typeof pod>>({ maxLength: 16, maxEntries: 3 });
    const a = intern(pod('a'));
    const b = intern(pod('b'));
    expect(a).toEqual(pod('a'));
    expect(b).toEqual(pod('b'));
    expect(b.spec.containers[0]!.args[2]).toHaveLength(100);
  });
});
