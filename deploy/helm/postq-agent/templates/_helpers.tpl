{{/* The release's full name, at most 52 characters (a CronJob's name limit). */}}
{{- define "postq-agent.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "postq-agent.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "postq-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "postq-agent.serviceAccountName" -}}
{{- default (include "postq-agent.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* The Secret holding the API key: the user's, or the one this chart creates. */}}
{{- define "postq-agent.secretName" -}}
{{- if .Values.existingSecret.name -}}
{{- .Values.existingSecret.name -}}
{{- else -}}
{{- include "postq-agent.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* Refuse to render without what the agent needs. */}}
{{- define "postq-agent.validate" -}}
{{- if not .Values.clusterName -}}
{{- fail "clusterName is required (--set clusterName=prod-east-1)" -}}
{{- end -}}
{{- if and (not .Values.apiKey) (not .Values.existingSecret.name) -}}
{{- fail "set apiKey or existingSecret.name (a Secret holding POSTQ_API_KEY)" -}}
{{- end -}}
{{- if and .Values.apiKey .Values.existingSecret.name -}}
{{- fail "set only one of apiKey and existingSecret.name" -}}
{{- end -}}
{{- end -}}

{{/* The agent's pod: one container running `postq agent --one-shot`. */}}
{{- define "postq-agent.podTemplate" -}}
metadata:
  labels:
    {{- include "postq-agent.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "postq-agent.serviceAccountName" . }}
  automountServiceAccountToken: true
  restartPolicy: Never
  enableServiceLinks: false
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: agent
      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args: ["agent", "--one-shot"]
      env:
        - name: POSTQ_API_KEY
          valueFrom:
            secretKeyRef:
              name: {{ include "postq-agent.secretName" . }}
              key: {{ .Values.existingSecret.key | default "POSTQ_API_KEY" }}
        - name: POSTQ_BASE_URL
          value: {{ .Values.baseUrl | quote }}
        - name: POSTQ_CLUSTER_NAME
          value: {{ .Values.clusterName | quote }}
        {{- if .Values.orgId }}
        - name: POSTQ_ORG_ID
          value: {{ .Values.orgId | quote }}
        {{- end }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 16Mi
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
