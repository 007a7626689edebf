import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkIndexPattern, createIndexNamer } from '../../../src/sinks/elasticsearch/index-name.js';

const at = (iso: string) => Date.parse(iso);

describe('index name from the event time', () => {
  const savedTz = process.env.TZ;
  before(() => {
    // UTC+12/+13: local midnight is far from UTC midnight, so local time would pick other days.
    process.env.TZ = 'Pacific/Auckland';
  });
  after(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  test('the time zone switch took effect (the next tests would prove nothing otherwise)', () => {
    assert.equal(new Date(at('2025-05-23T23:59:59Z')).getDate(), 24);
  });

  test('day patterns use the UTC day, on both sides of UTC midnight', () => {
    const name = createIndexNamer('wirety-audit-%Y.%m.%d');
    assert.equal(name(at('2025-05-23T23:59:59.999Z')), 'wirety-audit-2025.05.23');
    assert.equal(name(at('2025-05-24T00:00:00Z')), 'wirety-audit-2025.05.24');
    assert.equal(name(at('2025-05-23T11:59:59Z')), 'wirety-audit-2025.05.23'); // local Auckland: 23:59 on the 23rd
    assert.equal(name(at('2025-05-23T12:00:00Z')), 'wirety-audit-2025.05.23'); // local Auckland: 00:00 on the 24th
    assert.equal(name(at('2024-12-31T23:30:00Z')), 'wirety-audit-2024.12.31');
    assert.equal(name(at('2025-01-01T00:30:00Z')), 'wirety-audit-2025.01.01');
  });

  test('hour patterns use the UTC hour', () => {
    const name = createIndexNamer('audit-%Y%m%d-%H');
    assert.equal(name(at('2025-05-23T23:59:59Z')), 'audit-20250523-23');
    assert.equal(name(at('2025-05-24T00:00:00Z')), 'audit-20250524-00');
    assert.equal(name(1_748_000_000_000), 'audit-20250523-11');
  });

  test('%% is a literal percent; text without directives is constant', () => {
    assert.equal(createIndexNamer('a%%b-%Y')(at('2025-05-23T00:00:00Z')), 'a%b-2025');
    assert.equal(createIndexNamer('wirety-audit')(at('2025-05-23T00:00:00Z')), 'wirety-audit');
    // a literal that looks like a directive letter is still a literal
    assert.equal(createIndexNamer('y-m-d-%d')(at('2025-05-07T00:00:00Z')), 'y-m-d-07');
  });

  test('memoised names stay right when times jump back and forth', () => {
    const name = createIndexNamer('i-%Y.%m.%d-%H');
    const times = [
      '2025-05-23T10:00:00Z',
      '2025-05-24T10:00:00Z',
      '2025-05-23T10:59:59Z',
      '2025-05-23T11:00:00Z',
    ];
    const expected = ['i-2025.05.23-10', 'i-2025.05.24-10', 'i-2025.05.23-10', 'i-2025.05.23-11'];
    for (let round = 0; round < 3; round++) {
      assert.deepEqual(
        times.map((t) => name(at(t))),
        expected,
      );
    }
  });

  test('an invalid pattern cannot build a namer', () => {
    assert.throws(() => createIndexNamer('audit-%Q'), /unknown directive "%Q"/);
  });
});

describe('checkIndexPattern', () => {
  const valid = [
    'wirety-audit-%Y.%m.%d',
    'audit',
    '%Y-audit',
    'a%%b',
    'audit-%H',
    '.hidden-audit',
    'a.b_c-d+e',
  ];
  for (const pattern of valid) {
    test(`accepts ${JSON.stringify(pattern)}`, () => assert.equal(checkIndexPattern(pattern), undefined));
  }

  const invalid: [string, RegExp][] = [
    ['', /empty/],
    ['Wirety-%Y', /lowercase/],
    ['audit log', /contains " "/],
    ['a,b', /contains ","/],
    ['a#b', /contains "#"/],
    ['a*', /contains "\*"/],
    ['a?', /contains "\?"/],
    ['a"b', /contains """/],
    ['a<b', /contains "<"/],
    ['a>b', /contains ">"/],
    ['a|b', /contains "\|"/],
    ['a/b', /contains "\/"/],
    ['a\\b', /contains "\\"/],
    ['a:b', /contains ":"/],
    ['-audit', /must not start/],
    ['_audit', /must not start/],
    ['+audit', /must not start/],
    ['audit-%Q', /unknown directive "%Q"/],
    ['audit-%y', /unknown directive "%y"/],
    ['audit-%', /lone "%"/],
    ['..', /not allowed/],
    ['a'.repeat(256), /longer than 255 bytes/],
  ];
  for (const [pattern, message] of invalid) {
    test(`refuses ${JSON.stringify(pattern.slice(0, 20))}`, () => {
      assert.match(checkIndexPattern(pattern) ?? 'accepted', message);
    });
  }
});
