import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CHART, lint, render, renderFails, validateObject } from './chart.js';

const CI_VALUES = (await readdir(join(CHART, 'ci'))).filter((f) => f.endsWith('.yaml')).sort();

describe('helm chart: lint and API schemas', () => {
  it('has a values set per mode in ci/', () => {
    assert.ok(CI_VALUES.some((f) => f.startsWith('daemonset')));
    assert.ok(CI_VALUES.some((f) => f.startsWith('sidecar')));
  });

  for (const source of [{}, { mode: 'sidecar' }, ...CI_VALUES]) {
    const name = typeof source === 'string' ? `ci/${source}` : JSON.stringify(source);
    it(`${name}: helm lint --strict passes and every rendered object matches its API schema`, async () => {
      const out = await lint(source);
      assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      assert.doesNotMatch(out, /\[(WARNING|ERROR)\]/);
      const objects = await render(source);
      assert.ok(objects.length > 0);
      for (const obj of objects) validateObject(obj);
    });
  }

  it('the API schema check catches a wrong field type (the validation is real)', () => {
    assert.throws(
      () =>
        validateObject({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'x' },
          spec: { ports: [{ port: 'metrics' }] },
        }),
      /port must be integer/,
    );
  });

  it('values.schema.json refuses a misspelt key and an unknown mode', async () => {
    assert.match(await renderFails({ sink: { loki: { url: 'http://loki:3100' } } }), /sink.*not allowed|additional/i);
    assert.match(await renderFails({ mode: 'deployment' }), /mode/);
    assert.match(
      await renderFails({ sinks: { loki: { url: 'x', secretFiles: { password: { secretName: 's', key: 'k' } } } } }),
      /secretFiles/,
    );
  });

  it('the image tag is the chart appVersion', async () => {
    const chart = parse(await readFile(join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const values = parse(await readFile(join(CHART, 'values.yaml'), 'utf8')) as { image: { tag: string } };
    assert.equal(values.image.tag, chart.appVersion);
  });
});
