import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { parse } from 'yaml';
import {
  kinds,
  only,
  podOf,
  render,
  renderExample,
  renderNotes,
  shipConfig,
  validateObject,
  volumeAt,
  type PodParts,
} from './chart.js';

const POD_DIR = '/var/log/pods/${POD_NAMESPACE}_${POD_NAME}_${POD_UID}';

describe('helm chart, mode: sidecar', async () => {
  const example = await renderExample({ 'wirety-ship': { sinks: { loki: { url: 'http://loki:3100' } } } });
  const deployment = only(example, 'Deployment');
  const pod = podOf(deployment);

  it('the release itself renders only the ConfigMap: the container goes into the wirety-server pod', async () => {
    assert.deepEqual(kinds(await render({ mode: 'sidecar' })), ['ConfigMap']);
  });

  it('the example chart renders the ConfigMap and the wirety-server Deployment, both valid', () => {
    assert.deepEqual(kinds(example), ['ConfigMap', 'Deployment']);
    for (const obj of example) validateObject(obj);
  });

  it('adds wirety-ship as a native sidecar: an init container with restartPolicy Always', () => {
    const init = pod.spec.initContainers ?? [];
    assert.deepEqual(
      init.map((c) => [c.name, c.restartPolicy]),
      [['wirety-ship', 'Always']],
    );
    assert.deepEqual(
      pod.spec.containers.map((c) => c.name),
      ['wirety-server'],
    );
  });

  it("reads only its own pod's wirety-server directory, named through the downward API", () => {
    const { config } = shipConfig(example);
    assert.deepEqual(config.inputs.pods.include, [`${POD_DIR}/wirety-server/*.log`]);
    const fieldOf = (name: string) => pod.ship.env?.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath;
    assert.equal(fieldOf('POD_NAMESPACE'), 'metadata.namespace');
    assert.equal(fieldOf('POD_NAME'), 'metadata.name');
    assert.equal(fieldOf('POD_UID'), 'metadata.uid');
    assert.equal(fieldOf('NODE_NAME'), 'spec.nodeName');
    const { mount, volume } = volumeAt(pod, '/var/log/pods');
    assert.equal(mount.readOnly, true);
    assert.equal(volume.hostPath?.path, '/var/log/pods');
  });

  it('names the ConfigMap the subchart rendered', () => {
    const { volume } = volumeAt(pod, '/etc/wirety-ship/config');
    assert.equal(volume.configMap?.name, only(example, 'ConfigMap').metadata.name);
  });

  it('keeps the journal and positions on an emptyDir by default, on a PVC when given one', async () => {
    assert.ok(volumeAt(pod, '/var/lib/wirety-ship').volume.emptyDir);
    const withClaim = podOf(
      only(
        await renderExample({
          'wirety-ship': { sidecar: { persistence: { existingClaim: 'ship-journal' } } },
        }),
        'Deployment',
      ),
    );
    assert.equal(volumeAt(withClaim, '/var/lib/wirety-ship').volume.persistentVolumeClaim?.claimName, 'ship-journal');
  });

  it('has the same security context as the DaemonSet, and no readiness probe unless asked', async () => {
    const daemonSet = podOf(only(await render(), 'DaemonSet'));
    assert.deepEqual(pod.ship.securityContext, daemonSet.ship.securityContext);
    assert.equal(pod.ship.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(pod.ship.readinessProbe, undefined);
    const ready = podOf(only(await renderExample({ 'wirety-ship': { sidecar: { readinessProbe: true } } }), 'Deployment'));
    assert.equal(ready.ship.readinessProbe?.httpGet?.path, '/readyz');
  });

  it("gives the pod a grace period above wirety-ship's shutdown_timeout", () => {
    const seconds = Number.parseInt(shipConfig(example).config.shutdown_timeout, 10);
    assert.ok((pod.spec.terminationGracePeriodSeconds ?? 30) > seconds);
  });

  it('the sidecar of another container reads that container: sidecar.container', async () => {
    const { config } = shipConfig(await render('sidecar-pvc-values.yaml'));
    assert.deepEqual(config.inputs.pods.include, [`${POD_DIR}/server/*.log`]);
  });

  it('the NOTES printed by helm install hold the same container and volumes, ready to paste', async () => {
    const notes = await renderNotes({ mode: 'sidecar', sinks: { loki: { url: 'http://loki:3100' } } });
    const pasted = notes.slice(notes.indexOf('Or paste these'));
    const snippet = parse(pasted.slice(pasted.indexOf('\n') + 1, pasted.indexOf('\nSet the pod'))) as {
      initContainers: IContainer[];
      volumes: IVolume[];
    };
    const fromNotes: PodParts = {
      ship: snippet.initContainers[0] as IContainer,
      spec: { containers: [], volumes: snippet.volumes },
    };
    assert.equal(fromNotes.ship.restartPolicy, 'Always');
    assert.deepEqual(fromNotes.ship.env, pod.ship.env);
    assert.deepEqual(fromNotes.ship.volumeMounts, pod.ship.volumeMounts);
    assert.equal(volumeAt(fromNotes, '/var/log/pods').mount.readOnly, true);
    assert.ok(volumeAt(fromNotes, '/var/lib/wirety-ship').volume.emptyDir);
  });

  it('the named template refuses wirety-ship values that are not in sidecar mode', async () => {
    await assert.rejects(
      renderExample({ 'wirety-ship': { mode: 'daemonset' } }),
      /wirety-ship\.sidecar: the wirety-ship values must say mode: sidecar/,
    );
  });
});
