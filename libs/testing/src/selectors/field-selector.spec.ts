import { Events, Nodes, Pods, Secrets } from '@rxinformer/core';
import { describe, expect, it } from 'vitest';
import { KubeStatusError } from '../api/status.js';
import { fieldsFor, parseFieldSelector } from './field-selector.js';

describe('field selectors', () => {
  it('extracts the per-kind fields the real server supports', () => {
    const pod = { spec: { nodeName: 'n1', hostNetwork: true }, status: { phase: 'Running' } };
    expect(fieldsFor(Pods).extract(pod)).toMatchObject({
      'spec.nodeName': 'n1',
      'status.phase': 'Running',
      'spec.hostNetwork': 'true',
      'spec.restartPolicy': '',
    });
    expect(fieldsFor(Nodes).extract({ spec: {} })).toEqual({ 'spec.unschedulable': 'false' });
    expect(fieldsFor(Events).extract({ type: 'Warning', involvedObject: { kind: 'Pod' } })).toMatchObject({
      type: 'Warning',
      'involvedObject.kind': 'Pod',
    });
    expect(fieldsFor(Secrets).names.has('type')).toBe(true);
    expect(fieldsFor(Nodes).names.has('metadata.namespace')).toBe(false);
  });

  it('matches =, == and != terms, with escaped commas in values', () => {
    const fields = fieldsFor(Pods);
    const set = { 'status.phase': 'Running', 'spec.nodeName': 'a,b' };
    expect(
      parseFieldSelector('metadata.name=web,status.phase==Running', fields).matches('web', 'shop', set),
    ).toBe(true);
    expect(parseFieldSelector('status.phase!=Running', fields).matches('web', 'shop', set)).toBe(false);
    expect(parseFieldSelector('spec.nodeName=a\\,b', fields).matches('web', 'shop', set)).toBe(true);
    expect(parseFieldSelector('metadata.namespace=other', fields).matches('web', 'shop', set)).toBe(false);
  });

  it('rejects unsupported fields and malformed terms with 400', () => {
    const check = (text: string, message: RegExp): void => {
      let error: unknown;
      try {
        parseFieldSelector(text, fieldsFor(Pods));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KubeStatusError);
      expect((error as KubeStatusError).status.message).toMatch(message);
    };
    check('spec.foo=bar', /^field label not supported: spec\.foo$/);
    check('justaword', /invalid selector/);
  });
});
