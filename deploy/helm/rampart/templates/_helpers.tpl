{{/* Chart name, truncated to the 63 characters DNS labels allow. */}}
{{- define "rampart.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name. */}}
{{- define "rampart.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "rampart.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "rampart.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rampart.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "rampart.labels" -}}
helm.sh/chart: {{ include "rampart.chart" . }}
{{ include "rampart.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "rampart.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "rampart.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The rendered rampart.toml (values may be referenced inside `config`). */}}
{{- define "rampart.config" -}}
{{- tpl .Values.config . }}
{{- end }}

{{/*
Drain timeout in seconds: read from `drain_timeout = "Ns"` in the config when written
in whole seconds, else .Values.drainTimeoutSeconds. The grace period is derived from
it so Kubernetes never SIGKILLs a pod that is still draining.
*/}}
{{- define "rampart.drainSeconds" -}}
{{- $m := regexFind "drain_timeout\\s*=\\s*\"[0-9]+s\"" (include "rampart.config" .) }}
{{- if $m }}{{ regexFind "[0-9]+" $m }}{{ else }}{{ .Values.drainTimeoutSeconds }}{{ end }}
{{- end }}

{{- define "rampart.terminationGracePeriodSeconds" -}}
{{- add (include "rampart.drainSeconds" . | int) (.Values.preStopSleepSeconds | int) (.Values.terminationGraceMarginSeconds | int) }}
{{- end }}

{{- define "rampart.auditSecretName" -}}
{{- default (printf "%s-audit" (include "rampart.fullname" .)) .Values.audit.existingSecret }}
{{- end }}
