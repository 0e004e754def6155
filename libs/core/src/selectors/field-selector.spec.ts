import { describe, expect, it } from 'vitest';
import { fieldValue, parseFieldSelector } from './field-selector.js';
import { InvalidSelectorError } from './invalid-selector-error.js';

const pod = {
  metadata: { name: 'web-1', namespace: 'shop' },
  spec: { nodeName: 'node-a', hostNetwork: true, containers: [{ name: 'c' }] },
  status: { phase: 'Running', replicas: 3 },
};

describe('fieldValue', () => {
  it('reads dotted paths, spelling numbers and booleans as JSON does', () => {
    expect(fieldValue(pod, 'metadata.name')).toBe('web-1');
    expect(fieldValue(pod, 'spec.hostNetwork')).toBe('true');
    expect(fieldValue(pod, 'status.replicas')).toBe('3');
    expect(fieldValue({ type: 'Warning' }, 'type')).toBe('Warning');
  });

  it('is undefined for a missing path, an object, an array or null', () => {
    expect(fieldValue(pod, 'spec.schedulerName')).toBeUndefined();
    expect(fieldValue(pod, 'spec')).toBeUndefined();
    expect(fieldValue(pod, 'spec.containers')).toBeUndefined();
    expect(fieldValue(pod, 'spec.containers.0.name')).toBeUndefined();
    expect(fieldValue({ a: null }, 'a.b')).toBeUndefined();
    expect(fieldValue({}, 'constructor')).toBeUndefined();
    expect(fieldValue(undefined, 'a')).toBeUndefined();
  });
});

describe('parseFieldSelector', () => {
  it('matches any object by the dotted paths it names', () => {
    const event = { type: 'Warning', involvedObject: { kind: 'Pod', name: 'web-1' } };
    expect(parseFieldSelector('type=Warning,involvedObject.kind==Pod').matches(event)).toBe(true);
    expect(parseFieldSelector('involvedObject.kind!=Pod').matches(event)).toBe(false);
    expect(parseFieldSelector('metadata.namespace=shop,spec.nodeName=node-a').matches(pod)).toBe(true);
    expect(parseFieldSelector('metadata.namespace=other').matches(pod)).toBe(false);
  });

  it('compares a missing field as the empty string', () => {
    expect(parseFieldSelector('spec.nodeName=').matches({ spec: {} })).toBe(true);
    expect(parseFieldSelector('spec.nodeName!=').matches({ spec: {} })).toBe(false);
    expect(parseFieldSelector('spec.nodeName!=node-a').matches({})).toBe(true);
    expect(parseFieldSelector('metadata.namespace=').matches({ metadata: { name: 'node-a' } })).toBe(true);
  });

  it('lists its terms, with escaped separators unescaped in values', () => {
    expect(parseFieldSelector('spec.nodeName = a\\,b ,status.phase!=Running').requirements).toEqual([
      { field: 'spec.nodeName', operator: '=', value: ' a,b ' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
    ]);
    expect(parseFieldSelector('spec.nodeName=a\\,b').matches({ spec: { nodeName: 'a,b' } })).toBe(true);
  });

  it('matches values looked up elsewhere, as a server that extracted them does', () => {
    const selector = parseFieldSelector('status.phase=Running,metadata.name!=db');
    expect(selector.matchesValues((f) => (f === 'status.phase' ? 'Running' : 'web'))).toBe(true);
    expect(selector.matchesValues((f) => (f === 'status.phase' ? 'Running' : 'db'))).toBe(false);
  });

  it('is empty for blank text and matches everything', () => {
    const selector = parseFieldSelector('  ');
    expect(selector.empty).toBe(true);
    expect(selector.requirements).toEqual([]);
    expect(selector.matches(undefined)).toBe(true);
  });

  it('skips empty terms and keeps the terms sorted, as the API server does', () => {
    expect(parseFieldSelector('metadata.name=a,').requirements).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a' },
    ]);
    expect(parseFieldSelector(',').empty).toBe(true);
    expect(parseFieldSelector('spec.z=1,spec.a=2').requirements.map((r) => r.field)).toEqual([
      'spec.a',
      'spec.z',
    ]);
    expect(() => parseFieldSelector('zz,aa')).toThrow("can't understand 'aa'");
  });

  it('refuses a term without an operator, naming it as the API server does', () => {
    let error: unknown;
    try {
      parseFieldSelector(' a=1,justaword ');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidSelectorError);
    expect(error).toMatchObject({
      selectorType: 'field',
      selector: ' a=1,justaword ',
      problem: "invalid selector: 'a=1,justaword'; can't understand 'justaword'",
      transient: false,
    });
  });
});
