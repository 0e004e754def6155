import { describe, expect, it } from 'vitest';
import { helpText, intFlag, parseFlags, UsageError } from './flags.js';

const command = { name: 'demo', summary: 'A demo.', epilog: 'Examples:\n  demo --port 0' };
const flags = {
  port: { type: 'string', short: 'p', value: 'PORT', description: 'port to bind', default: '8080' },
  namespace: { type: 'string', description: 'namespace' },
  once: { type: 'boolean', description: 'report once and exit' },
} as const;

describe('parseFlags', () => {
  it('returns values with defaults', () => {
    expect(parseFlags(command, flags, ['-p', '0', '--once']).values).toEqual({
      port: '0',
      namespace: undefined,
      once: true,
    });
    expect(parseFlags(command, flags, []).values).toEqual({
      port: '8080',
      namespace: undefined,
      once: false,
    });
  });

  it('returns the help text for --help and -h', () => {
    const help = parseFlags(command, flags, ['--namespace', 'x', '-h']).help;
    expect(help).toBe(helpText(command, flags));
    expect(help).toMatch(/^Usage: demo \[flags\]\n\nA demo\.\n\nFlags:\n/);
    expect(help).toMatch(/-p, --port PORT\s+port to bind \(default: 8080\)/);
    expect(help).toMatch(/--once\s+report once and exit\n/);
    expect(help).toMatch(/-h, --help\s+show this help and exit/);
    expect(help).toContain('Examples:\n  demo --port 0');
  });

  it('names the flag in its errors', () => {
    expect(() => parseFlags(command, flags, ['--colour'])).toThrow(new UsageError('unknown flag --colour'));
    expect(() => parseFlags(command, flags, ['--namespace'])).toThrow(
      new UsageError('--namespace needs a value'),
    );
    expect(() => parseFlags(command, flags, ['shop'])).toThrow(
      new UsageError('unexpected argument "shop" (flags start with --)'),
    );
  });
});

describe('intFlag', () => {
  it('parses whole numbers in range and rejects the rest', () => {
    expect(intFlag('port', '0', { min: 0, max: 65535 })).toBe(0);
    expect(() => intFlag('port', '70000', { min: 0, max: 65535 })).toThrow(
      '--port must be a whole number from 0 to 65535, got "70000"',
    );
    expect(() => intFlag('pods', '1.5', { min: 0 })).toThrow(
      '--pods must be a whole number at least 0, got "1.5"',
    );
  });
});
