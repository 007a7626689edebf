{{/*
The wirety-ship config file: values.config merged under the keys the chart owns (paths inside the
container, the metrics address the probes use, the shutdown deadline the grace period covers),
with the sinks from values.sinks. Refuses, at render time, a literal secret anywhere in it: the
ConfigMap is readable by anyone who can read the namespace's ConfigMaps.
*/}}

{{/* The sinks' secretFiles, flattened: {items: [{sink, key, file, secretName, secretKey, path}]}. */}}
{{- define "wirety-ship.secretFiles" -}}
{{- $items := list }}
{{- range $sink, $settings := .Values.sinks }}
{{- range $key, $ref := ($settings.secretFiles | default dict) }}
{{- if not (regexMatch "^([a-z0-9_]+\\.)*[a-z0-9_]+_file$" $key) }}
{{- fail (printf "sinks.%s.secretFiles: %q is not a *_file key of the sink (e.g. auth.password_file, token_file, tls.ca_file)" $sink $key) }}
{{- end }}
{{- $path := printf "%s/%s" $sink (trimSuffix "_file" $key) }}
{{- $items = append $items (dict "sink" $sink "key" $key "secretName" $ref.secretName "secretKey" $ref.key "path" $path "file" (printf "%s/%s" (include "wirety-ship.secretsDir" $) $path)) }}
{{- end }}
{{- end }}
{{- toYaml (dict "items" $items) }}
{{- end }}

{{/* Sets a dotted key path (auth.password_file) in a nested dict. */}}
{{- define "wirety-ship.setPath" -}}
{{- $node := .dict }}
{{- $parts := splitList "." .path }}
{{- range $part := initial $parts }}
{{- if not (kindIs "map" (get $node $part)) }}
{{- $_ := set $node $part dict }}
{{- end }}
{{- $node = get $node $part }}
{{- end }}
{{- $_ := set $node (last $parts) .value }}
{{- end }}

{{/* Fails on a secret written as a value: password, bearer_token, api_key, token anywhere. */}}
{{- define "wirety-ship.noInlineSecrets" -}}
{{- range $key, $value := .node }}
{{- $where := ternary $key (printf "%s.%s" $.where $key) (eq $.where "") }}
{{- if kindIs "map" $value }}
{{- include "wirety-ship.noInlineSecrets" (dict "node" $value "where" $where) }}
{{- else if and (has $key (list "password" "bearer_token" "api_key" "token")) (not (regexMatch "^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$" (toString $value))) }}
{{- fail (printf "%s: a secret must not be written in values (it would be stored in the ConfigMap): use the sink's secretFiles (%s_file from an existing Secret), or ${VAR} with the variable set by extraEnv from a Secret" $where $key) }}
{{- end }}
{{- end }}
{{- end }}

{{- define "wirety-ship.config" -}}
{{- $user := deepCopy (.Values.config | default dict) }}
{{- range $owned := list "buffer.data_dir" "dead_letter.path" "metrics.address" "shutdown_timeout" "sinks" }}
{{- $parts := splitList "." $owned }}
{{- $value := get $user (first $parts) }}
{{- if and (eq (len $parts) 2) (kindIs "map" $value) }}
{{- $value = get $value (last $parts) }}
{{- else if eq (len $parts) 2 }}
{{- $value = "" }}
{{- end }}
{{- if $value }}
{{- fail (printf "config.%s is set by the chart (see values.yaml: config); %s" $owned (get (dict "buffer.data_dir" "the data dir is persisted by the chart (persistence, sidecar.persistence)" "dead_letter.path" "the dead-letter file lives in the persisted data dir" "metrics.address" "set metrics.port" "shutdown_timeout" "set shutdownTimeoutSeconds" "sinks" "set sinks: at the top level of the values") $owned)) }}
{{- end }}
{{- end }}
{{- if ge (int .Values.shutdownTimeoutSeconds) (int .Values.terminationGracePeriodSeconds) }}
{{- fail (printf "shutdownTimeoutSeconds (%d) must be below terminationGracePeriodSeconds (%d): Kubernetes kills the process at the end of the grace period" (int .Values.shutdownTimeoutSeconds) (int .Values.terminationGracePeriodSeconds)) }}
{{- end }}
{{- $inputs := $user.inputs | default dict }}
{{- if not $inputs }}
{{- fail "config.inputs is empty: wirety-ship would read its own stdin, which a pod does not have; keep config.inputs.pods (the log files)" }}
{{- end }}
{{- $pods := get $inputs "pods" }}
{{- if and (kindIs "map" $pods) (not (hasKey $pods "include")) }}
{{- if eq .Values.mode "sidecar" }}
{{- $_ := set $pods "include" (list (printf "%s/${POD_NAMESPACE}_${POD_NAME}_${POD_UID}/%s/*.log" (include "wirety-ship.podLogsDir" .) .Values.sidecar.container)) }}
{{- else }}
{{- $_ := set $pods "include" .Values.daemonset.include }}
{{- end }}
{{- end }}
{{- $dataDir := include "wirety-ship.dataDir" . }}
{{- $owned := dict
  "buffer" (dict "data_dir" (printf "%s/journal" $dataDir))
  "dead_letter" (dict "path" (printf "%s/dead-letter.ndjson" $dataDir))
  "metrics" (dict "address" (printf "0.0.0.0:%d" (int .Values.metrics.port)))
  "shutdown_timeout" (printf "%ds" (int .Values.shutdownTimeoutSeconds)) }}
{{- $config := mustMergeOverwrite $user $owned }}
{{- $types := dict "loki" "loki" "elasticsearch" "elasticsearch" "splunk" "splunk_hec" "stdout" "stdout" }}
{{- $secretFiles := (include "wirety-ship.secretFiles" . | fromYaml).items }}
{{- $sinks := dict }}
{{- range $name, $settings := .Values.sinks }}
{{- $sink := omit (deepCopy $settings) "secretFiles" }}
{{- if not $sink.type }}
{{- if not (hasKey $types $name) }}
{{- fail (printf "sinks.%s: set its type (loki, elasticsearch, splunk_hec, stdout): only sinks named loki, elasticsearch, splunk and stdout have one by default" $name) }}
{{- end }}
{{- $_ := set $sink "type" (get $types $name) }}
{{- end }}
{{- range $file := $secretFiles }}
{{- if eq $file.sink $name }}
{{- include "wirety-ship.setPath" (dict "dict" $sink "path" $file.key "value" $file.file) }}
{{- end }}
{{- end }}
{{- $_ := set $sinks $name $sink }}
{{- end }}
{{- if $sinks }}
{{- $_ := set $config "sinks" $sinks }}
{{- end }}
{{- include "wirety-ship.noInlineSecrets" (dict "node" $config "where" "") }}
{{- toYaml $config }}
{{- end }}
