{{/*
Names and labels. These helpers read only .Values and .Release, never .Chart, so that a parent
chart including "wirety-ship.sidecar" can pass (dict "Values" (index .Values "wirety-ship")
"Release" .Release) and get the same names as the wirety-ship release that owns the ConfigMap.
*/}}

{{- define "wirety-ship.name" -}}
{{- default "wirety-ship" .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "wirety-ship.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "wirety-ship.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "wirety-ship.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wirety-ship.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "wirety-ship.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "wirety-ship.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "wirety-ship.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wirety-ship.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Paths inside the container. The config and the secrets are separate mounts: a mount nested
in a ConfigMap volume would need a mount point inside it. */}}
{{- define "wirety-ship.configDir" -}}/etc/wirety-ship/config{{- end }}
{{- define "wirety-ship.secretsDir" -}}/etc/wirety-ship/secrets{{- end }}
{{- define "wirety-ship.dataDir" -}}/var/lib/wirety-ship{{- end }}
{{- define "wirety-ship.podLogsDir" -}}/var/log/pods{{- end }}

{{/* The data dir on the node (DaemonSet): one per release unless persistence.hostPath says. */}}
{{- define "wirety-ship.dataHostPath" -}}
{{- default (printf "/var/lib/wirety-ship/%s/%s" .Release.Namespace .Release.Name) .Values.persistence.hostPath }}
{{- end }}
