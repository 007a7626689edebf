{{/*
The wirety-ship container and its volumes, shared by the DaemonSet and the sidecar. Context: the
chart's root context, or from a parent chart (dict "Values" (index .Values "wirety-ship")
"Release" .Release). Volume names carry the "wirety-ship-" prefix: in sidecar mode they sit in
the wirety-server pod next to its own.
*/}}

{{- define "wirety-ship.container" -}}
name: wirety-ship
image: {{ printf "%s:%s" .Values.image.repository .Values.image.tag | quote }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
args:
  - --config
  - {{ include "wirety-ship.configDir" . }}/wirety-ship.yaml
env:
  # Kubernetes metadata: the node for the events (NODE_NAME), the pod's own log directory
  # (sidecar: /var/log/pods/<namespace>_<pod>_<uid>/), all from the downward API.
  - name: NODE_NAME
    valueFrom:
      fieldRef:
        fieldPath: spec.nodeName
  - name: POD_NAMESPACE
    valueFrom:
      fieldRef:
        fieldPath: metadata.namespace
  - name: POD_NAME
    valueFrom:
      fieldRef:
        fieldPath: metadata.name
  - name: POD_UID
    valueFrom:
      fieldRef:
        fieldPath: metadata.uid
  {{- with .Values.extraEnv }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
ports:
  - name: metrics
    containerPort: {{ int .Values.metrics.port }}
    protocol: TCP
livenessProbe:
  httpGet:
    path: /healthz
    port: metrics
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 6
{{- if or (ne .Values.mode "sidecar") .Values.sidecar.readinessProbe }}
readinessProbe:
  httpGet:
    path: /readyz
    port: metrics
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
{{- end }}
resources:
  {{- toYaml .Values.resources | nindent 2 }}
securityContext:
  {{- toYaml .Values.securityContext | nindent 2 }}
volumeMounts:
  - name: wirety-ship-config
    mountPath: {{ include "wirety-ship.configDir" . }}
    readOnly: true
  - name: wirety-ship-pod-logs
    mountPath: {{ include "wirety-ship.podLogsDir" . }}
    readOnly: true
  {{- if and (ne .Values.mode "sidecar") .Values.hostPaths.dockerContainers }}
  - name: wirety-ship-docker-containers
    mountPath: /var/lib/docker/containers
    readOnly: true
  {{- end }}
  - name: wirety-ship-data
    mountPath: {{ include "wirety-ship.dataDir" . }}
  - name: wirety-ship-tmp
    mountPath: /tmp
  {{- if (include "wirety-ship.secretFiles" . | fromYaml).items }}
  - name: wirety-ship-secrets
    mountPath: {{ include "wirety-ship.secretsDir" . }}
    readOnly: true
  {{- end }}
  {{- with .Values.extraVolumeMounts }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{- define "wirety-ship.volumes" -}}
- name: wirety-ship-config
  configMap:
    name: {{ include "wirety-ship.fullname" . }}
- name: wirety-ship-pod-logs
  hostPath:
    path: {{ include "wirety-ship.podLogsDir" . }}
    type: Directory
{{- if and (ne .Values.mode "sidecar") .Values.hostPaths.dockerContainers }}
- name: wirety-ship-docker-containers
  hostPath:
    path: /var/lib/docker/containers
    type: Directory
{{- end }}
{{- if ne .Values.mode "sidecar" }}
- name: wirety-ship-data
  hostPath:
    path: {{ include "wirety-ship.dataHostPath" . }}
    type: DirectoryOrCreate
{{- else if .Values.sidecar.persistence.existingClaim }}
- name: wirety-ship-data
  persistentVolumeClaim:
    claimName: {{ .Values.sidecar.persistence.existingClaim }}
{{- else }}
- name: wirety-ship-data
  emptyDir:
    {{- toYaml .Values.sidecar.persistence.emptyDir | nindent 4 }}
{{- end }}
- name: wirety-ship-tmp
  emptyDir:
    sizeLimit: 64Mi
{{- $secretFiles := (include "wirety-ship.secretFiles" . | fromYaml).items }}
{{- if $secretFiles }}
- name: wirety-ship-secrets
  projected:
    defaultMode: 256 # 0400: read by uid 0 only
    sources:
      {{- range $secretFiles }}
      - secret:
          name: {{ .secretName }}
          items:
            - key: {{ .secretKey }}
              path: {{ .path }}
      {{- end }}
{{- end }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Sidecar mode: the wirety-ship entry for the wirety-server pod's initContainers. restartPolicy
Always makes it a native sidecar (Kubernetes >= 1.29): started before wirety-server, restarted
when it exits, stopped after wirety-server, and not holding up a Job's completion.
*/}}
{{- define "wirety-ship.sidecar" -}}
{{- if ne .Values.mode "sidecar" }}
{{- fail "wirety-ship.sidecar: the wirety-ship values must say mode: sidecar (the ConfigMap's include then names the pod's own log directory)" }}
{{- end }}
{{- include "wirety-ship.container" . }}
restartPolicy: Always
{{- end }}

{{/* Sidecar mode: the entries for the wirety-server pod's volumes. */}}
{{- define "wirety-ship.sidecar.volumes" -}}
{{ include "wirety-ship.volumes" . }}
{{- end }}
