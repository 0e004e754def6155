import { describe, expect, it } from 'vitest';
import { RxInformerError } from '../errors.js';
import { InvalidSelectorError } from './invalid-selector-error.js';
import { parseLabelSelector } from './label-selector.js';

const matches = (selector: string, labels: Record<string, string> | undefined) =>
  parseLabelSelector(selector).matches(labels);

const problemOf = (selector: string): InvalidSelectorError => {
  try {
    parseLabelSelector(selector);
  } catch (error) {
    if (error instanceof InvalidSelectorError) return error;
    throw error;
  }
  throw new Error(`${selector} parsed`);
};

describe('parseLabelSelector', () => {
  it('matches everything when empty or undefined', () => {
    expect(parseLabelSelector(undefined).empty).toBe(true);
    expect(parseLabelSelector(' ').matches(undefined)).toBe(true);
    expect(parseLabelSelector('app').empty).toBe(false);
  });

  it('treats a missing label as satisfying only !=, notin and !key', () => {
    expect(matches('app!=web', undefined)).toBe(true);
    expect(matches('app notin (web)', {})).toBe(true);
    expect(matches('!app', {})).toBe(true);
    expect(matches('app', {})).toBe(false);
    expect(matches('app=web', undefined)).toBe(false);
    expect(matches('app in (web)', {})).toBe(false);
    expect(matches('n>1', {})).toBe(false);
  });

  it('needs every requirement to hold', () => {
    expect(matches('app=web,tier=front', { app: 'web', tier: 'front' })).toBe(true);
    expect(matches('app=web,tier=front', { app: 'web', tier: 'back' })).toBe(false);
  });

  it('does not read inherited properties as labels', () => {
    expect(matches('toString', {})).toBe(false);
    expect(matches('constructor!=x', {})).toBe(true);
  });

  it.each([
    ['app in (', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['app in (x y)', "unable to parse requirement: found 'y', expected: ',' or ')'"],
    ['app>x', "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer"],
    ['app=web,', "unable to parse requirement: found '', expected: identifier"],
  ])('refuses %j with a typed, fatal error in the API server words', (selector, problem) => {
    const error = problemOf(selector);
    expect(error).toBeInstanceOf(RxInformerError);
    expect(error.transient).toBe(false);
    expect(error.selectorType).toBe('label');
    expect(error.selector).toBe(selector);
    expect(error.problem).toBe(problem);
    expect(error.message).toBe(`invalid label selector ${JSON.stringify(selector)}: ${problem}`);
  });
});
