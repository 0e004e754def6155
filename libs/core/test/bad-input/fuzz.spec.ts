// Property tests of line framing and watch-event decoding (fast-check).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, DecodeError, KubeApiError, objectKey, type KubeObject } from '../../src/index.js';
import { LineDecoder } from '../../src/transport/line-decoder.js';
import { fakeApi, harness, holdOpen, type FakeApi } from './support.js';

/** Splits `bytes` at the given cut points (sorted, deduplicated, within range). */
function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    out.push(bytes.subarray(start, p));
    start = p;
  }
  out.push(bytes.subarray(start));
  return out;
}

/** What the decoder should yield for a byte stream: complete lines, UTF-8 decoded, blank and "\r" lines skipped. */
function expectedLines(bytes: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, start)) {
    const text = bytes.toString('utf8', start, i);
    if (text.length > 0 && text !== '\r') out.push(text);
    start = i + 1;
  }
  return out;
}

describe('LineDecoder', () => {
  it('any chunking of a valid stream yields the same lines (multi-byte characters cut anywhere)', () => {
    const lineText = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 40 })
      .filter((s) => !s.includes('\n') && s !== '\r');
    fc.assert(
      fc.property(
        fc.array(lineText, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (lines, cuts) => {
          const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
          const got: string[] = [];
          const decoder = new LineDecoder();
          for (const c of chunk(bytes, cuts)) decoder.push(c, (l) => got.push(l));
          expect(got).toEqual(lines.map((l) => Buffer.from(l, 'utf8').toString('utf8')));
          expect(decoder.buffered).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random bytes in random chunks: the same lines as splitting the whole, the tail stays buffered, nothing thrown', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.boolean(),
        (raw, cuts, newlines) => {
          const bytes = Buffer.from(newlines ? raw.map((b) => (b % 7 === 0 ? 0x0a : b)) : raw);
          const got: string[] = [];
          const decoder = new LineDecoder();
          for (const c of chunk(bytes, cuts)) decoder.push(c, (l) => got.push(l));
          expect(got).toEqual(expectedLines(bytes));
          expect(decoder.buffered).toBe(bytes.length - (bytes.lastIndexOf(0x0a) + 1));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with a line limit, only the documented RangeError is thrown, no longer line is delivered, and the buffer never exceeds the limit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 30 }), (raw, cuts) => {
        const decoder = new LineDecoder(64);
        for (const c of chunk(Buffer.from(raw.map((b) => (b % 50 === 0 ? 0x0a : b))), cuts)) {
          try {
            decoder.push(c, (line) => expect(line.length).toBeLessThanOrEqual(64)); // code units never outnumber bytes
          } catch (e) {
            expect(e).toBeInstanceOf(RangeError);
            expect((e as Error).message).toBe('a line exceeds 64 bytes');
          }
          expect(decoder.buffered).toBeLessThanOrEqual(64);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a callback that throws leaves the decoder usable for a new stream (state reset on the next line)', () => {
    const decoder = new LineDecoder();
    expect(() =>
      decoder.push(Buffer.from('bad\ngood\n'), (l) => {
        if (l === 'bad') throw new Error('boom');
      }),
    ).toThrow('boom');
    const got: string[] = [];
    decoder.push(Buffer.from('next\n'), (l) => got.push(l));
    expect(got).toEqual(['next']);
  });
});

// ---- watch-event decoding over HTTP --------------------------------------------------------

type Line =
  | { kind: 'event'; type: 'ADDED' | 'MODIFIED' | 'DELETED'; name: string }
  | { kind: 'bookmark' }
  | { kind: 'raw'; text: Buffer };

const NAMES = ['a', 'b', 'c', 'd'];

function render(lines: Line[]): { body: Buffer; expected: Map<string, string>; valid: number } {
  let rv = 10;
  const store = new Map<string, string>([
    ['shop/a', '5'],
    ['shop/b', '6'],
  ]);
  const parts: Buffer[] = [];
  let valid = 0;
  let broken = false;
  for (const l of lines) {
    let text: Buffer;
    if (l.kind === 'event')
      text = Buffer.from(
        JSON.stringify({
          type: l.type,
          object: {
            kind: 'ConfigMap',
            apiVersion: 'v1',
            metadata: { name: l.name, namespace: 'shop', resourceVersion: String(++rv) },
          },
        }),
      );
    else if (l.kind === 'bookmark')
      text = Buffer.from(
        JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(++rv) } } }),
      );
    else text = l.text;
    parts.push(text, Buffer.from('\n'));
    if (broken) continue;
    const verdict = judge(text);
    if (verdict === 'skip') continue;
    if (verdict === 'bad') {
      broken = true;
      continue;
    }
    valid++;
    if (verdict.type === 'DELETED') store.delete(verdict.key);
    else if (verdict.type !== 'BOOKMARK') store.set(verdict.key, verdict.rv);
  }
  return { body: Buffer.concat(parts), expected: store, valid };
}

/** The core's rules for one line: skipped (blank), bad (decode error or ERROR), or an event. */
function judge(text: Buffer): 'skip' | 'bad' | { type: string; key: string; rv: string } {
  const s = text.toString('utf8');
  if (s.length === 0 || s === '\r') return 'skip';
  let e: { type?: unknown; object?: KubeObject | null };
  try {
    e = JSON.parse(s) as typeof e;
  } catch {
    return 'bad';
  }
  if (
    e === null ||
    typeof e !== 'object' ||
    !['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'].includes(e.type as string)
  )
    return 'bad';
  const o = e.object;
  if (typeof o !== 'object' || o === null) return 'bad';
  const rv = o.metadata?.resourceVersion;
  if (typeof rv !== 'string') return 'bad';
  if (e.type === 'BOOKMARK') return { type: 'BOOKMARK', key: '', rv };
  if (typeof o.metadata?.name !== 'string' || o.metadata.name === '') return 'bad';
  return { type: e.type as string, key: objectKey(o), rv };
}

const lineArb: fc.Arbitrary<Line> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      type: fc.constantFrom('ADDED' as const, 'MODIFIED' as const, 'DELETED' as const),
      name: fc.constantFrom(...NAMES),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'bookmark' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .jsonValue()
      .map((v) => ({ kind: 'raw' as const, text: Buffer.from(JSON.stringify(v) ?? 'null') })),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 30 })
      .map((b) => ({ kind: 'raw' as const, text: Buffer.from(b.filter((x) => x !== 0x0a)) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '{"type":"ADDED","object":{}}',
        '{"type":"MODIFIED","object":{"metadata":{"resourceVersion":"99"}}}',
        '{"type":"ADDED","object":[]}',
        '{"type":"DELETED"}',
        '{}',
        '   ',
        '\r',
      )
      .map((t) => ({ kind: 'raw' as const, text: Buffer.from(t) })),
  },
);

describe('watch-event decoding over HTTP (fast-check)', () => {
  let api: FakeApi;
  let body: Buffer = Buffer.alloc(0);
  let cuts: number[] = [];
  beforeAll(async () => {
    api = await fakeApi({
      watch: (req, res) => {
        holdOpen(req, res);
        // The first watch of each run (the request log is cleared per run) serves the body.
        if (api.requests.filter((r) => r.verb === 'watch').length === 1) {
          for (const c of chunk(body, cuts)) res.write(c);
          res.end();
        }
      },
    });
  });
  afterAll(() => api.close());

  it('random streams of events, garbage and blank lines: only typed errors, and the cache equals the valid prefix applied to the list', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (lines, chunkCuts) => {
          const rendered = render(lines);
          body = rendered.body;
          cuts = chunkCuts;
          (api as { requests: unknown[] }).requests.length = 0;
          const h = harness(api.kubeConfig());
          try {
            await h.informer.synced;
            // The first watch always ends (bad line, or the end of the body); the second one hangs.
            await new Promise<void>((resolve, reject) => {
              const sub = h.informer.health$.subscribe((x) => {
                if (x.lastError !== undefined || x.restarts > 0) {
                  queueMicrotask(() => sub.unsubscribe());
                  resolve();
                }
              });
              setTimeout(() => reject(new Error('the first watch did not end within 10 s')), 10_000).unref();
            });
            const error = h.informer.health.lastError;
            if (error)
              expect(
                error instanceof DecodeError ||
                  error instanceof ConnectionError ||
                  error instanceof KubeApiError,
              ).toBe(true);
            expect(h.errors).toEqual([]);
            const cached = new Map(
              h.informer.store.list().map((o) => [objectKey(o), o.metadata?.resourceVersion]),
            );
            expect(cached).toEqual(rendered.expected);
            // The events tell the same story as the store.
            const shadow = new Map<string, string | undefined>();
            for (const e of h.events) {
              if (e.type === 'SYNCED' || e.type === 'RESYNC') continue;
              if (e.type === 'DELETED') shadow.delete(objectKey(e.object));
              else shadow.set(objectKey(e.object), e.object.metadata?.resourceVersion);
            }
            expect(shadow).toEqual(cached);
          } finally {
            h.close();
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);
});
