import { describe, expect, it } from 'vitest';
import { parseOptions } from '../options.js';
import { controllerTables, readYourWritesVerdict } from './controller-tables.js';

describe('read-your-writes verdict', () => {
  const off = { conflicts: 40, already_exists: 10, reconciles_per_change: 2 };

  it('passes with 10× fewer 409s, no duplicate create and at most 1.2× the reconciles per change', () => {
    const verdict = readYourWritesVerdict(off, {
      conflicts: 5,
      already_exists: 0,
      reconciles_per_change: 2.4,
    });
    expect(verdict.pass).toBe(true);
    expect(verdict.line).toMatch(/^verdict PASS: 409s 50 off → 5 on \(10\.0× fewer/);
  });

  it('fails on a duplicate create, too few fewer 409s, or too many reconciles', () => {
    expect(
      readYourWritesVerdict(off, { conflicts: 0, already_exists: 1, reconciles_per_change: 2 }).pass,
    ).toBe(false);
    expect(
      readYourWritesVerdict(off, { conflicts: 6, already_exists: 0, reconciles_per_change: 2 }).pass,
    ).toBe(false);
    expect(
      readYourWritesVerdict(off, { conflicts: 0, already_exists: 0, reconciles_per_change: 2.5 }).pass,
    ).toBe(false);
  });

  it('counts no 409 with it on as fewer, whatever off had', () => {
    const none = { conflicts: 0, already_exists: 0, reconciles_per_change: 1 };
    expect(readYourWritesVerdict(none, none)).toMatchObject({ pass: true });
    expect(readYourWritesVerdict(none, none).line).toContain('none either way');
  });

  it('prints a row per mode, the verdict, and the failover table', () => {
    const server = 'kube-apiserver' as const;
    const md = controllerTables([
      { scenario: 'read-your-writes', subject: 'website-operator, readYourWrites off', server, ...off },
      {
        scenario: 'read-your-writes',
        subject: 'website-operator, readYourWrites on',
        server,
        ...off,
        conflicts: 0,
        already_exists: 0,
      },
      {
        scenario: 'failover',
        subject: 'warm (informers synced)',
        server,
        takeover_ms: 3300,
        first_reconcile_ms: 3301,
      },
    ]);
    expect(md.split('\n').filter((l) => l.startsWith('| kube-apiserver'))).toHaveLength(3);
    expect(md).toContain('verdict PASS');
    expect(md).toContain('| kube-apiserver | warm (informers synced) |  | 3,300 | 3,301 | 1 |');
  });
});

describe('--scenario read-your-writes', () => {
  it('selects the kube server and the quick sizes, --objects scales the Websites', () => {
    const options = parseOptions(['--scenario', 'read-your-writes', '--quick', '--objects', '7']);
    expect(options).toMatchObject({ server: 'kube', scenarios: ['read-your-writes'] });
    expect(options.sizes.websites).toBe(7);
    expect(parseOptions(['--scenario', 'read-your-writes']).sizes).toMatchObject({
      websites: 50,
      changesPerWebsite: 5,
    });
  });

  it('is refused on the replay server and alongside replay-only scenarios', () => {
    expect(() => parseOptions(['--server', 'replay', '--scenario', 'read-your-writes'])).toThrow(
      /needs a real kube-apiserver/,
    );
    expect(() => parseOptions(['--scenario', 'read-your-writes,fanout'])).toThrow(
      /run the others separately/,
    );
  });

  it('leaves the default runs as they were', () => {
    expect(parseOptions([]).scenarios).not.toContain('read-your-writes');
    expect(parseOptions(['--server', 'kube']).scenarios).toEqual(['initial-sync', 'watch-throughput']);
  });
});
