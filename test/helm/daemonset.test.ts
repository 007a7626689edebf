import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  kinds,
  NAMESPACE,
  only,
  podOf,
  render,
  renderFails,
  renderNotes,
  shipConfig,
  volumeAt,
  type K8sObject,
} from './chart.js';

const LOKI = { sinks: { loki: { url: 'http://loki:3100' } } };

describe('helm chart, mode: daemonset', async () => {
  const objects = await render(LOKI);
  const daemonSet = only(objects, 'DaemonSet');
  const pod = podOf(daemonSet);
  const { config } = shipConfig(objects);

  it('renders a DaemonSet, its ConfigMap and a ServiceAccount; monitoring, PDB and Service are off', () => {
    assert.deepEqual(kinds(objects), ['ConfigMap', 'DaemonSet', 'ServiceAccount']);
    assert.equal(daemonSet.metadata.namespace, NAMESPACE);
  });

  it('reads /var/log/pods from the node, read-only, and reads the files the include names', () => {
    const { mount, volume } = volumeAt(pod, '/var/log/pods');
    assert.equal(mount.readOnly, true);
    assert.deepEqual(volume.hostPath, { path: '/var/log/pods', type: 'Directory' });
    assert.deepEqual(config.inputs.pods.include, ['/var/log/pods/*_wirety-*/wirety-server/*.log']);
    assert.equal(config.inputs.pods.type, 'file');
    assert.deepEqual(config.inputs.pods.streams, ['stdout']);
  });

  it('every hostPath but the data dir is mounted read-only', () => {
    for (const mount of pod.ship.volumeMounts ?? []) {
      const volume = pod.spec.volumes?.find((v) => v.name === mount.name);
      if (volume?.hostPath && mount.mountPath !== '/var/lib/wirety-ship') {
        assert.equal(mount.readOnly, true, `${mount.mountPath} must be read-only`);
      }
    }
  });

  it('keeps the journal, positions and dead letters on a per-release hostPath that outlives the pod', () => {
    const { mount, volume } = volumeAt(pod, '/var/lib/wirety-ship');
    assert.notEqual(mount.readOnly, true);
    assert.deepEqual(volume.hostPath, { path: `/var/lib/wirety-ship/${NAMESPACE}/audit`, type: 'DirectoryOrCreate' });
    assert.equal(config.buffer.data_dir, '/var/lib/wirety-ship/journal');
    assert.equal(config.dead_letter.path, '/var/lib/wirety-ship/dead-letter.ndjson');
  });

  it('the config file the container is told to read is the ConfigMap, mounted read-only', () => {
    assert.deepEqual(pod.ship.args, ['--config', '/etc/wirety-ship/config/wirety-ship.yaml']);
    const { mount, volume } = volumeAt(pod, '/etc/wirety-ship/config');
    assert.equal(mount.readOnly, true);
    assert.equal(volume.configMap?.name, only(objects, 'ConfigMap').metadata.name);
  });

  it('takes the node name and its own pod from the downward API', () => {
    const fieldOf = (name: string) => pod.ship.env?.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath;
    assert.equal(fieldOf('NODE_NAME'), 'spec.nodeName');
    assert.equal(fieldOf('POD_NAMESPACE'), 'metadata.namespace');
    assert.equal(fieldOf('POD_NAME'), 'metadata.name');
    assert.equal(fieldOf('POD_UID'), 'metadata.uid');
  });

  it('runs as uid 0 to read the 0640 root files, with every capability dropped and nothing else', () => {
    const sc = pod.ship.securityContext;
    assert.ok(sc);
    assert.equal(sc.runAsUser, 0);
    assert.deepEqual(sc.capabilities, { drop: ['ALL'] });
    assert.equal(sc.allowPrivilegeEscalation, false);
    assert.equal(sc.privileged, false);
    assert.equal(sc.readOnlyRootFilesystem, true);
    assert.equal(sc.seccompProfile?.type, 'RuntimeDefault');
    assert.equal(pod.spec.hostNetwork ?? false, false);
    assert.equal(pod.spec.hostPID ?? false, false);
    assert.equal(pod.spec.automountServiceAccountToken, false);
    // The read-only root filesystem leaves /tmp writable through an emptyDir.
    assert.ok(volumeAt(pod, '/tmp').volume.emptyDir);
  });

  it('probes /healthz and /readyz on the port metrics.address listens on', () => {
    const port = pod.ship.ports?.find((p) => p.name === 'metrics');
    assert.ok(port);
    assert.equal(config.metrics.address, `0.0.0.0:${port.containerPort}`);
    assert.equal(pod.ship.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(pod.ship.livenessProbe?.httpGet?.port, 'metrics');
    assert.equal(pod.ship.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(pod.ship.readinessProbe?.httpGet?.port, 'metrics');
  });

  it('gives wirety-ship its whole shutdown_timeout before SIGKILL', () => {
    assert.equal(config.shutdown_timeout, '20s');
    assert.ok((pod.spec.terminationGracePeriodSeconds ?? 30) > 20);
  });

  it('has requests and a memory limit', () => {
    assert.ok(pod.ship.resources?.requests?.cpu);
    assert.ok(pod.ship.resources?.requests?.memory);
    assert.ok(pod.ship.resources?.limits?.memory);
  });

  it('a sink named loki needs no type; the chart defaults stay under the user config', async () => {
    assert.deepEqual(config.sinks, { loki: { type: 'loki', url: 'http://loki:3100' } });
    const { config: changed } = shipConfig(
      await render({ ...LOKI, config: { buffer: { fsync: 'always' }, inputs: { pods: { format: 'cri' } } } }),
    );
    assert.equal(changed.buffer.fsync, 'always');
    assert.equal(changed.buffer.data_dir, '/var/lib/wirety-ship/journal');
    assert.equal(changed.inputs.pods.format, 'cri');
    assert.deepEqual(changed.inputs.pods.include, config.inputs.pods.include);
  });

  it('the NOTES printed by helm install name the files read, the node data dir and a missing sink', async () => {
    const notes = await renderNotes({});
    assert.match(notes, /DaemonSet audit-wirety-ship/);
    assert.match(notes, /\/var\/log\/pods\/\*_wirety-\*\/wirety-server\/\*\.log/);
    assert.match(notes, new RegExp(`/var/lib/wirety-ship/${NAMESPACE}/audit on each node`));
    assert.match(notes, /No sink is configured/);
    assert.doesNotMatch(await renderNotes(LOKI), /No sink is configured/);
  });

  it('a config change changes the pod template (rolls the pods)', async () => {
    const other = only(await render({ sinks: { loki: { url: 'http://loki-2:3100' } } }), 'DaemonSet');
    const checksum = (ds: K8sObject) =>
      (ds as unknown as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template
        .metadata.annotations['checksum/config'];
    assert.ok(checksum(daemonSet));
    assert.notEqual(checksum(other), checksum(daemonSet));
  });

  it('the optional parts render when asked: Service, PodMonitor, ServiceMonitor, PDB, docker hostPath', async () => {
    const full = await render('daemonset-full-values.yaml');
    assert.deepEqual(kinds(full), [
      'ConfigMap',
      'DaemonSet',
      'PodDisruptionBudget',
      'PodMonitor',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
    const fullPod = podOf(only(full, 'DaemonSet'));
    const docker = volumeAt(fullPod, '/var/lib/docker/containers');
    assert.equal(docker.mount.readOnly, true);
    assert.equal(docker.volume.hostPath?.path, '/var/lib/docker/containers');
    assert.equal(volumeAt(fullPod, '/var/lib/wirety-ship').volume.hostPath?.path, '/var/lib/wirety-ship');
    assert.deepEqual(fullPod.spec.tolerations, [{ operator: 'Exists' }]);
    assert.equal(volumeAt(fullPod, '/etc/wirety-ship/corp-ca').volume.configMap?.name, 'corp-ca');
    const service = only<{ spec: { ports: { port: number }[] } }>(full, 'Service');
    assert.equal(service.spec.ports[0]?.port, 9500);
    assert.equal(shipConfig(full).config.metrics.address, '0.0.0.0:9500');
    assert.equal(shipConfig(full).config.shutdown_timeout, '50s');
    assert.equal(fullPod.spec.terminationGracePeriodSeconds, 60);
  });

  it('refuses settings that would break what the chart guarantees, saying what to set instead', async () => {
    assert.match(await renderFails({ shutdownTimeoutSeconds: 30 }), /below terminationGracePeriodSeconds/);
    assert.match(await renderFails({ config: { buffer: { data_dir: '/tmp/j' } } }), /config\.buffer\.data_dir is set by the chart/);
    assert.match(await renderFails({ config: { metrics: { address: '127.0.0.1:1' } } }), /set metrics\.port/);
    assert.match(await renderFails({ config: { shutdown_timeout: '5s' } }), /set shutdownTimeoutSeconds/);
    assert.match(await renderFails({ sinks: { siem: { url: 'http://x' } } }), /sinks\.siem: set its type/);
    assert.match(await renderFails({ config: { inputs: { pods: null } } }), /config\.inputs is empty/);
  });
});
