import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, formatSize, parseDuration, parseSize } from '../../src/config/units.js';
import { fails, failsFile, run, runFile } from './helpers.js';

const ok = (value: number) => ({ ok: true, value });

describe('parseDuration', () => {
  it('reads every unit, combinations, fractions, and 0 without a unit', () => {
    assert.deepEqual(parseDuration('500ms'), ok(500));
    assert.deepEqual(parseDuration('1s'), ok(1000));
    assert.deepEqual(parseDuration('5m'), ok(300_000));
    assert.deepEqual(parseDuration('1h'), ok(3_600_000));
    assert.deepEqual(parseDuration('1h30m'), ok(5_400_000));
    assert.deepEqual(parseDuration('1m30s250ms'), ok(90_250));
    assert.deepEqual(parseDuration('1.5s'), ok(1500));
    assert.deepEqual(parseDuration(0), ok(0));
    assert.deepEqual(parseDuration('0'), ok(0));
  });

  it('refuses a number without a unit (20 ms or 20 s?) and suggests the likely one', () => {
    assert.deepEqual(parseDuration(20), {
      ok: false,
      reason: '20 has no unit: did you mean 20s? Write the unit: ms, s, m or h',
    });
    assert.deepEqual(
      parseDuration(' 20 '),
      parseDuration(20),
      'the same from an environment variable or flag',
    );
    assert.match((parseDuration(5000) as { reason: string }).reason, /did you mean 5000ms \(5s\)\?/);
  });

  it('refuses unknown units, missing units, negatives, sub-millisecond and junk with a reason', () => {
    const reason = (input: unknown) => {
      const parsed = parseDuration(input);
      assert.equal(parsed.ok, false, `${String(input)} should be refused`);
      return parsed.ok ? '' : parsed.reason;
    };
    assert.match(reason('20x'), /unknown unit "x"; use ms, s, m or h/);
    assert.match(reason('1d'), /24h/);
    assert.match(reason('1h30'), /unit is missing/);
    assert.match(reason('-5s'), /negative/);
    assert.match(reason('1.5ms'), /finer than a millisecond/);
    assert.match(reason(''), /empty/);
    assert.match(reason('1 s'), /not a duration/);
    assert.match(reason(1.5), /must be a duration/);
    assert.match(reason(-1), /must be a duration/);
    assert.match(reason(true), /must be a duration/);
  });
});

describe('parseSize', () => {
  it('reads binary and decimal units exactly, and plain bytes', () => {
    assert.deepEqual(parseSize('256KiB'), ok(262_144));
    assert.deepEqual(parseSize('1MiB'), ok(1_048_576));
    assert.deepEqual(parseSize('1GiB'), ok(1_073_741_824));
    assert.deepEqual(parseSize('100MB'), ok(100_000_000));
    assert.deepEqual(parseSize('100kB'), ok(100_000));
    assert.deepEqual(parseSize('1.5KiB'), ok(1536));
    assert.deepEqual(parseSize('512B'), ok(512));
    assert.deepEqual(parseSize('100 MiB'), ok(104_857_600));
    assert.deepEqual(parseSize(4096), ok(4096));
    assert.deepEqual(parseSize('4096'), ok(4096));
  });

  it('refuses ambiguous units with both readings, unknown units and fractions of a byte', () => {
    const reason = (input: unknown) => {
      const parsed = parseSize(input);
      assert.equal(parsed.ok, false, `${String(input)} should be refused`);
      return parsed.ok ? '' : parsed.reason;
    };
    assert.match(reason('100KB'), /ambiguous: write 100kB \(powers of 1000\) or 100KiB \(powers of 1024\)/);
    assert.match(reason('10M'), /10MB .* 10MiB/);
    assert.match(reason('1mb'), /ambiguous/);
    assert.match(reason('5XB'), /unknown unit "XB"/);
    assert.match(reason('0.1B'), /whole number of bytes/);
    assert.match(reason('-1MiB'), /not a size/);
    assert.match(reason('99999999999TiB'), /too large/);
  });
});

describe('formatting', () => {
  it('prints the shortest exact spelling', () => {
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(500), '500ms');
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatSize(1_048_576), '1MiB');
    assert.equal(formatSize(100_000_000), '100MB');
    assert.equal(formatSize(1234), '1234B');
  });
});

describe('units in the loaded config', () => {
  it('converts file strings and flag values to ms and bytes', async () => {
    const config = await run(['--shutdown-timeout', '1m30s', '--max-line-bytes', '1MiB']);
    assert.equal(config.shutdown_timeout_ms, 90_000);
    assert.equal(config.input.max_line_bytes, 1_048_576);
  });

  it('names the flag for a bad duration', async () => {
    const error = await fails(['--shutdown-timeout', '20x']);
    assert.match(
      error.message,
      /^command line \(--shutdown-timeout\): shutdown_timeout: "20x" is not a duration/,
    );
    assert.equal(error.key, 'shutdown_timeout');
  });

  it('refuses a duration without a unit from the file, a variable and a flag alike (issue 8)', async () => {
    const fromFile = await failsFile('shutdown_timeout: 20\n');
    assert.match(fromFile.message, /^ship\.yaml:1: shutdown_timeout: 20 has no unit: did you mean 20s\?/);
    const fromEnv = await fails([], { WIRETY_SHIP_SHUTDOWN_TIMEOUT: '20' });
    assert.match(
      fromEnv.message,
      /WIRETY_SHIP_SHUTDOWN_TIMEOUT: shutdown_timeout: 20 has no unit: did you mean 20s\?/,
    );
    const fromFlag = await fails(['--shutdown-timeout', '20']);
    assert.match(fromFlag.message, /--shutdown-timeout\): shutdown_timeout: 20 has no unit/);
    const zero = await runFile('log: { progress_interval: 0 }\n');
    assert.equal(zero.log.progress_interval_ms, 0, '0 needs no unit');
  });

  it('names the environment variable for a bad size', async () => {
    const error = await fails([], { WIRETY_SHIP_MAX_LINE_BYTES: '64KB' });
    assert.match(
      error.message,
      /environment variable WIRETY_SHIP_MAX_LINE_BYTES: input\.max_line_bytes: "64KB" is ambiguous/,
    );
  });
});
