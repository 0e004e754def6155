import { describe, expect, it } from 'vitest';
import { configState } from './config-state.js';

describe('configState', () => {
  it('decodes binaryData and Secret data, and versions the content only', () => {
    const cm = {
      metadata: { name: 'web', resourceVersion: '1' },
      data: { a: 'x' },
      binaryData: { b: Buffer.from('y').toString('base64') },
    };
    const secret = { metadata: { name: 's' }, data: { password: Buffer.from('hunter2').toString('base64') } };
    const state = configState(cm, secret);
    expect(Object.fromEntries(Object.entries(state.configMap!).map(([k, v]) => [k, v.toString()]))).toEqual({
      a: 'x',
      b: 'y',
    });
    expect(state.secret!['password']!.toString()).toBe('hunter2');
    expect(state.version).toMatch(/^[0-9a-f]{12}$/);

    expect(
      configState(
        { ...cm, metadata: { name: 'web', resourceVersion: '2', annotations: { touched: 'yes' } } },
        secret,
      ).version,
    ).toBe(state.version);
    expect(configState({ ...cm, data: { a: 'z' } }, secret).version).not.toBe(state.version);
    expect(configState(cm, undefined).version).not.toBe(state.version);
    // A key moved from data to binaryData with the same bytes is the same file.
    expect(
      configState(
        {
          metadata: {},
          binaryData: { a: Buffer.from('x').toString('base64'), b: Buffer.from('y').toString('base64') },
        },
        secret,
      ).version,
    ).toBe(state.version);
  });
});
