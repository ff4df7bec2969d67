{{/*
The processes: values key, binary (image name), kind (http, grpc or worker),
port and the variable holding their listen address, and whether their
bootstrap runs in the Job (in this order; the booking worker shares booking's).
edge: the process reaches only the gateway, over HTTP (the web console): it
gets no database, NATS or Temporal settings, secrets or certificates.
*/}}
{{- define "bookwell.processes" -}}
- {key: scheduling, binary: schedulingd, kind: grpc, port: 9092, addrEnv: SCHEDULING_GRPC_ADDR, bootstrap: true}
- {key: payments, binary: paymentsd, kind: grpc, port: 9093, addrEnv: PAYMENTS_GRPC_ADDR, bootstrap: true, webhookPort: 8093, webhookAddrEnv: PAYMENTS_HTTP_ADDR}
- {key: notifications, binary: notificationsd, kind: grpc, port: 9094, addrEnv: NOTIFICATIONS_GRPC_ADDR, bootstrap: true}
- {key: reputation, binary: reputationd, kind: grpc, port: 9095, addrEnv: REPUTATION_GRPC_ADDR, bootstrap: true}
- {key: booking, binary: bookingd, kind: grpc, port: 9091, addrEnv: BOOKING_GRPC_ADDR, bootstrap: true}
- {key: bookingWorker, binary: booking-worker, kind: worker, port: 0, addrEnv: "", bootstrap: false}
- {key: gateway, binary: gatewayd, kind: http, port: 8080, addrEnv: GATEWAY_HTTP_ADDR, bootstrap: true}
- {key: console, binary: consoled, kind: http, port: 3000, addrEnv: CONSOLE_HTTP_ADDR, bootstrap: false, edge: true}
{{- end -}}

{{- define "bookwell.processList" -}}
{{- $l := list -}}
{{- range $p := include "bookwell.processes" . | fromYamlArray -}}
{{- if or (ne $p.key "console") $.Values.console.enabled -}}{{- $l = append $l $p -}}{{- end -}}
{{- end -}}
{{- dict "items" $l | toYaml -}}
{{- end -}}

{{- define "bookwell.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The name of one process's objects: <fullname>-<binary without a trailing d>. */}}
{{- define "bookwell.name" -}}
{{- $root := index . 0 -}}{{- $p := index . 1 -}}
{{- printf "%s-%s" (include "bookwell.fullname" $root) (kebabcase $p.key) -}}
{{- end -}}

{{- define "bookwell.labels" -}}
{{- $root := index . 0 -}}{{- $p := index . 1 -}}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
app.kubernetes.io/part-of: bookwell
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
{{ include "bookwell.selector" (list $root $p) }}
{{- end -}}

{{- define "bookwell.selector" -}}
{{- $root := index . 0 -}}{{- $p := index . 1 -}}
app.kubernetes.io/name: {{ $p.binary }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
{{- end -}}

{{- define "bookwell.image" -}}
{{- $root := index . 0 -}}{{- $p := index . 1 -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $root.Values.image.repository) $p.binary (default $root.Chart.AppVersion $root.Values.image.tag) -}}
{{- end -}}

{{/* A secret reference is set when it names a Secret. */}}
{{- define "bookwell.ref" -}}
{{- if and . .name -}}set{{- end -}}
{{- end -}}

{{/*
The Secrets a process reads, as a list of {env, name, key, path}: each is
mounted at path and its variable is given as <env>_FILE.
*/}}
{{- define "bookwell.secretFiles" -}}
{{- $root := index . 0 -}}{{- $p := index . 1 -}}{{- $forBootstrap := index . 2 -}}
{{- $v := $root.Values -}}
{{- $pv := index $v $p.key -}}
{{- $out := list -}}
{{- if not $p.edge -}}
{{- $out = append $out (dict "env" "DATABASE_URL" "name" $v.postgres.url.name "key" $v.postgres.url.key) -}}
{{- end -}}
{{- if and $forBootstrap (include "bookwell.ref" $v.postgres.migrationsUrl) -}}
{{- $out = append $out (dict "env" "MIGRATIONS_DATABASE_URL" "name" $v.postgres.migrationsUrl.name "key" $v.postgres.migrationsUrl.key) -}}
{{- end -}}
{{- if not $forBootstrap -}}
{{- $out = append $out (dict "env" "SERVICE_SIGNING_KEY" "name" (printf "%s-%s" $v.auth.serviceKeys.signingSecretPrefix $p.binary) "key" $v.auth.serviceKeys.signingKey) -}}
{{- $out = append $out (dict "env" "SERVICE_VERIFY_KEYS" "name" $v.auth.serviceKeys.verify.name "key" $v.auth.serviceKeys.verify.key) -}}
{{- end -}}
{{- if not $p.edge -}}
{{- if include "bookwell.ref" $v.temporal.apiKey -}}
{{- $out = append $out (dict "env" "TEMPORAL_API_KEY" "name" $v.temporal.apiKey.name "key" $v.temporal.apiKey.key) -}}
{{- end -}}
{{- if include "bookwell.ref" $v.nats.creds -}}
{{- $out = append $out (dict "env" "NATS_CREDS" "name" $v.nats.creds.name "key" $v.nats.creds.key) -}}
{{- end -}}
{{- if include "bookwell.ref" $v.nats.nkeySeed -}}
{{- $out = append $out (dict "env" "NATS_NKEY_SEED" "name" $v.nats.nkeySeed.name "key" $v.nats.nkeySeed.key) -}}
{{- end -}}
{{- end -}}
{{- range concat $v.secretEnv (default list $pv.secretEnv) -}}
{{- $out = append $out (dict "env" .env "name" .name "key" .key) -}}
{{- end -}}
{{- $res := list -}}
{{- range $out -}}
{{- $res = append $res (merge (dict "path" (printf "/var/run/secrets/bookwell/%s/%s" (lower .env | replace "_" "-") .key)) .) -}}
{{- end -}}
{{- dict "items" $res | toYaml -}}
{{- end -}}

{{/* Certificate files: {volume, secret, dir, items} mounted read-only. */}}
{{- define "bookwell.certVolumes" -}}
{{- $root := index . 0 -}}{{- $p := index . 1 -}}
{{- $v := $root.Values -}}
{{- $out := list -}}
{{- if not $p.edge -}}
{{- if include "bookwell.ref" $v.postgres.ca -}}
{{- $out = append $out (dict "volume" "postgres-ca" "secret" $v.postgres.ca.name "dir" "/etc/bookwell/postgres" "keys" (list $v.postgres.ca.key)) -}}
{{- end -}}
{{- if include "bookwell.ref" $v.temporal.tls.ca -}}
{{- $out = append $out (dict "volume" "temporal-ca" "secret" $v.temporal.tls.ca.name "dir" "/etc/bookwell/temporal-ca" "keys" (list $v.temporal.tls.ca.key)) -}}
{{- end -}}
{{- if $v.temporal.tls.clientCertSecret -}}
{{- $out = append $out (dict "volume" "temporal-client" "secret" $v.temporal.tls.clientCertSecret "dir" "/etc/bookwell/temporal-client" "keys" (list "tls.crt" "tls.key")) -}}
{{- end -}}
{{- if include "bookwell.ref" $v.nats.tls.ca -}}
{{- $out = append $out (dict "volume" "nats-ca" "secret" $v.nats.tls.ca.name "dir" "/etc/bookwell/nats-ca" "keys" (list $v.nats.tls.ca.key)) -}}
{{- end -}}
{{- if $v.nats.tls.clientCertSecret -}}
{{- $out = append $out (dict "volume" "nats-client" "secret" $v.nats.tls.clientCertSecret "dir" "/etc/bookwell/nats-client" "keys" (list "tls.crt" "tls.key")) -}}
{{- end -}}
{{- if $v.grpc.tls.enabled -}}
{{- $out = append $out (dict "volume" "grpc-tls" "secret" $v.grpc.tls.secretName "dir" "/etc/bookwell/grpc" "keys" (list "tls.crt" "tls.key" "ca.crt")) -}}
{{- end -}}
{{- end -}}
{{- dict "items" $out | toYaml -}}
{{- end -}}

{{/* The address clients use for a gRPC process: every replica through DNS. */}}
{{- define "bookwell.grpcTarget" -}}
{{- $root := index . 0 -}}{{- $p := index . 1 -}}
{{- printf "dns:///%s.%s.svc.%s:%d" (include "bookwell.name" (list $root $p)) $root.Release.Namespace $root.Values.clusterDomain (int $p.port) -}}
{{- end -}}

{{/* Environment of a process (its deployment or its bootstrap step). */}}
{{- define "bookwell.env" -}}
{{- $root := index . 0 -}}{{- $p := index . 1 -}}{{- $forBootstrap := index . 2 -}}
{{- $v := $root.Values -}}
{{- $pv := index $v $p.key -}}
{{- $env := dict -}}
{{- $_ := set $env "LOG_FORMAT" $v.log.format -}}
{{- $_ := set $env "LOG_LEVEL" $v.log.level -}}
{{- $_ := set $env "ADMIN_HTTP_ADDR" (printf ":%d" (int $v.adminPort)) -}}
{{- if not $p.edge -}}
{{- range $q := (include "bookwell.processList" $root | fromYaml).items -}}
{{- if eq $q.kind "grpc" -}}
{{- if eq $q.key $p.key -}}
{{- $_ := set $env $q.addrEnv (printf ":%d" (int $q.port)) -}}
{{- else -}}
{{- $_ := set $env $q.addrEnv (include "bookwell.grpcTarget" (list $root $q)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if eq $p.kind "http" -}}
{{- $_ := set $env $p.addrEnv (printf ":%d" (int $p.port)) -}}
{{- end -}}
{{- if not $p.edge -}}
{{- range $q := (include "bookwell.processList" $root | fromYaml).items -}}
{{- if $q.webhookPort -}}
{{- if eq $q.key $p.key -}}
{{- $_ := set $env $q.webhookAddrEnv (printf ":%d" (int $q.webhookPort)) -}}
{{- else if eq $p.key "gateway" -}}
{{- /* the gateway passes the processor's webhook on to payments */ -}}
{{- $_ := set $env $q.webhookAddrEnv (printf "%s.%s.svc.%s:%d" (include "bookwell.name" (list $root $q)) $root.Release.Namespace $root.Values.clusterDomain (int $q.webhookPort)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $_ := set $env "AUTH_ISSUER" $v.auth.issuer -}}
{{- $_ := set $env "AUTH_AUDIENCE" $v.auth.audience -}}
{{- if $v.auth.jwksUrl -}}
{{- $_ := set $env "AUTH_JWKS_URL" $v.auth.jwksUrl -}}
{{- end -}}
{{- $_ := set $env "AUTH_ROLE_CLAIM" $v.auth.roleClaim -}}
{{- $_ := set $env "AUTH_SUBJECT_CLAIM" $v.auth.subjectClaim -}}
{{- $_ := set $env "AUTH_CLOCK_SKEW" $v.auth.clockSkew -}}
{{- if $p.edge -}}
{{- /* the console: its gateway, and the identity provider's sign-in */ -}}
{{- $gw := dict "key" "gateway" -}}
{{- $_ := set $env "CONSOLE_API_URL" (printf "http://%s.%s.svc.%s:%d" (include "bookwell.name" (list $root $gw)) $root.Release.Namespace $root.Values.clusterDomain (int $v.gateway.service.port)) -}}
{{- $_ := set $env "CONSOLE_OIDC_ISSUER" (default $v.auth.issuer $v.console.oidc.issuer) -}}
{{- $_ := set $env "CONSOLE_OIDC_CLIENT_ID" $v.console.oidc.clientId -}}
{{- $_ := set $env "CONSOLE_OIDC_SCOPES" $v.console.oidc.scopes -}}
{{- $_ := set $env "CONSOLE_OIDC_AUDIENCE" (default $v.auth.audience $v.console.oidc.audience) -}}
{{- else -}}
{{- $_ := set $env "DATABASE_SSLMODE" $v.postgres.sslmode -}}
{{- if include "bookwell.ref" $v.postgres.ca -}}
{{- $_ := set $env "DATABASE_SSLROOTCERT" (printf "/etc/bookwell/postgres/%s" $v.postgres.ca.key) -}}
{{- end -}}
{{- $_ := set $env "DATABASE_MAX_CONNS" (toString $v.postgres.maxConns) -}}
{{- $_ := set $env "BOOTSTRAP_ON_START" (toString $v.bootstrapOnStart) -}}
{{- $_ := set $env "TEMPORAL_ADDRESS" $v.temporal.address -}}
{{- $_ := set $env "TEMPORAL_NAMESPACE" $v.temporal.namespace -}}
{{- $tls := or $v.temporal.tls.enabled $v.temporal.tls.clientCertSecret (include "bookwell.ref" $v.temporal.apiKey) -}}
{{- $_ := set $env "TEMPORAL_TLS" (toString (not (not $tls))) -}}
{{- if $v.temporal.tls.serverName -}}
{{- $_ := set $env "TEMPORAL_TLS_SERVER_NAME" $v.temporal.tls.serverName -}}
{{- end -}}
{{- if include "bookwell.ref" $v.temporal.tls.ca -}}
{{- $_ := set $env "TEMPORAL_TLS_CA_FILE" (printf "/etc/bookwell/temporal-ca/%s" $v.temporal.tls.ca.key) -}}
{{- end -}}
{{- if $v.temporal.tls.clientCertSecret -}}
{{- $_ := set $env "TEMPORAL_TLS_CERT_FILE" "/etc/bookwell/temporal-client/tls.crt" -}}
{{- $_ := set $env "TEMPORAL_TLS_KEY_FILE" "/etc/bookwell/temporal-client/tls.key" -}}
{{- end -}}
{{- $_ := set $env "NATS_URL" $v.nats.url -}}
{{- $_ := set $env "NATS_TLS" (toString (not (not (or $v.nats.tls.enabled $v.nats.tls.clientCertSecret)))) -}}
{{- if include "bookwell.ref" $v.nats.tls.ca -}}
{{- $_ := set $env "NATS_TLS_CA_FILE" (printf "/etc/bookwell/nats-ca/%s" $v.nats.tls.ca.key) -}}
{{- end -}}
{{- if $v.nats.tls.clientCertSecret -}}
{{- $_ := set $env "NATS_TLS_CERT_FILE" "/etc/bookwell/nats-client/tls.crt" -}}
{{- $_ := set $env "NATS_TLS_KEY_FILE" "/etc/bookwell/nats-client/tls.key" -}}
{{- end -}}
{{- $_ := set $env "NATS_STREAM_REPLICAS" (toString (int $v.nats.streams.replicas)) -}}
{{- $_ := set $env "NATS_STREAM_MAX_AGE" $v.nats.streams.maxAge -}}
{{- if $v.nats.streams.maxBytes -}}
{{- $_ := set $env "NATS_STREAM_MAX_BYTES" (toString (int64 $v.nats.streams.maxBytes)) -}}
{{- end -}}
{{- range $stream, $o := $v.nats.streams.overrides -}}
{{- if hasKey $o "replicas" -}}{{- $_ := set $env (printf "NATS_STREAM_%s_REPLICAS" (upper $stream)) (toString (int $o.replicas)) -}}{{- end -}}
{{- if hasKey $o "maxAge" -}}{{- $_ := set $env (printf "NATS_STREAM_%s_MAX_AGE" (upper $stream)) $o.maxAge -}}{{- end -}}
{{- if hasKey $o "maxBytes" -}}{{- $_ := set $env (printf "NATS_STREAM_%s_MAX_BYTES" (upper $stream)) (toString (int64 $o.maxBytes)) -}}{{- end -}}
{{- end -}}
{{- if $v.grpc.tls.enabled -}}
{{- $_ := set $env "GRPC_TLS_CERT_FILE" "/etc/bookwell/grpc/tls.crt" -}}
{{- $_ := set $env "GRPC_TLS_KEY_FILE" "/etc/bookwell/grpc/tls.key" -}}
{{- $_ := set $env "GRPC_TLS_CA_FILE" "/etc/bookwell/grpc/ca.crt" -}}
{{- end -}}
{{- end -}}
{{- range $k, $val := $v.env -}}{{- $_ := set $env $k (toString $val) -}}{{- end -}}
{{- range $k, $val := (default dict $pv.env) -}}{{- $_ := set $env $k (toString $val) -}}{{- end -}}
{{- range (include "bookwell.secretFiles" (list $root $p $forBootstrap) | fromYaml).items -}}
{{- $_ := set $env (printf "%s_FILE" .env) .path -}}
{{- end -}}
{{- range $k := keys $env | sortAlpha }}
- name: {{ $k }}
  value: {{ index $env $k | quote }}
{{- end }}
{{- $res := $pv.resources -}}
{{- if $forBootstrap -}}{{- $res = $v.bootstrap.resources -}}{{- end -}}
{{- with (include "bookwell.gomemlimit" $res) }}
- name: GOMEMLIMIT
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* Volumes of a process: /tmp, certificates, secret files. */}}
{{- define "bookwell.volumes" -}}
{{- $root := index . 0 -}}{{- $p := index . 1 -}}{{- $forBootstrap := index . 2 -}}
- name: tmp
  emptyDir: {}
{{- range (include "bookwell.certVolumes" (list $root $p) | fromYaml).items }}
- name: {{ .volume }}
  secret:
    secretName: {{ .secret }}
    items:
{{- range .keys }}
      - key: {{ . }}
        path: {{ . }}
{{- end }}
{{- end }}
{{- range (include "bookwell.secretFiles" (list $root $p $forBootstrap) | fromYaml).items }}
- name: secret-{{ lower .env | replace "_" "-" }}
  secret:
    secretName: {{ .name }}
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- end }}
{{- end -}}

{{- define "bookwell.volumeMounts" -}}
{{- $root := index . 0 -}}{{- $p := index . 1 -}}{{- $forBootstrap := index . 2 -}}
- name: tmp
  mountPath: /tmp
{{- range (include "bookwell.certVolumes" (list $root $p) | fromYaml).items }}
- name: {{ .volume }}
  mountPath: {{ .dir }}
  readOnly: true
{{- end }}
{{- range (include "bookwell.secretFiles" (list $root $p $forBootstrap) | fromYaml).items }}
- name: secret-{{ lower .env | replace "_" "-" }}
  mountPath: /var/run/secrets/bookwell/{{ lower .env | replace "_" "-" }}
  readOnly: true
{{- end }}
{{- end -}}

{{/* Checks that stop a render with a clear message. */}}
{{- define "bookwell.validate" -}}
{{- $v := .Values -}}
{{- if not (include "bookwell.ref" $v.postgres.url) -}}
{{- fail "postgres.url.name: name the Secret holding the database URL (CloudNativePG: <cluster>-app)" -}}
{{- end -}}
{{- if not (and $v.auth.issuer $v.auth.audience) -}}
{{- fail "auth.issuer and auth.audience: the identity provider's issuer URL and the audience users' tokens are issued for (docs/security.md)" -}}
{{- end -}}
{{- if not (and $v.auth.serviceKeys.signingSecretPrefix (include "bookwell.ref" $v.auth.serviceKeys.verify)) -}}
{{- fail "auth.serviceKeys: name the services' key Secrets (signingSecretPrefix, verify.name; docs/security.md)" -}}
{{- end -}}
{{- if and (has $v.postgres.sslmode (list "verify-ca" "verify-full")) (not (include "bookwell.ref" $v.postgres.ca)) -}}
{{- fail (printf "postgres.sslmode %s needs postgres.ca.name: the Secret holding the server's CA (CloudNativePG: <cluster>-ca)" $v.postgres.sslmode) -}}
{{- end -}}
{{- if not (has $v.postgres.sslmode (list "disable" "allow" "prefer" "require" "verify-ca" "verify-full")) -}}
{{- fail (printf "postgres.sslmode %q: want disable, require, verify-ca or verify-full" $v.postgres.sslmode) -}}
{{- end -}}
{{- if and $v.grpc.tls.enabled (not $v.grpc.tls.secretName) -}}
{{- fail "grpc.tls.enabled needs grpc.tls.secretName: a kubernetes.io/tls Secret with ca.crt" -}}
{{- end -}}
{{- if and $v.console.enabled (not $v.console.oidc.clientId) -}}
{{- fail "console.oidc.clientId: the console's client id at the identity provider, for its sign-in (authorization code with PKCE; docs/deploy.md), or console.enabled=false" -}}
{{- end -}}
{{- if and (include "bookwell.ref" $v.nats.creds) (include "bookwell.ref" $v.nats.nkeySeed) -}}
{{- fail "nats: set creds or nkeySeed, not both" -}}
{{- end -}}
{{- if and (include "bookwell.ref" $v.temporal.apiKey) $v.temporal.tls.clientCertSecret -}}
{{- fail "temporal: set apiKey or tls.clientCertSecret, not both" -}}
{{- end -}}
{{- if lt (int $v.nats.streams.replicas) 1 -}}
{{- fail "nats.streams.replicas: at least 1 (3 for a three-node cluster)" -}}
{{- end -}}
{{- end -}}

{{/* One step of the bootstrap Job (all steps share the Job's volumes). */}}
{{- define "bookwell.bootstrapContainer" -}}
{{- $root := index . 0 -}}{{- $p := index . 1 -}}
image: {{ include "bookwell.image" (list $root $p) }}
imagePullPolicy: {{ $root.Values.image.pullPolicy }}
args: [bootstrap]
securityContext:
  {{- toYaml $root.Values.securityContext | nindent 2 }}
env:
  {{- include "bookwell.env" (list $root $p true) | trim | nindent 2 }}
resources:
  {{- toYaml $root.Values.bootstrap.resources | nindent 2 }}
volumeMounts:
  {{- include "bookwell.volumeMounts" (list $root $p true) | nindent 2 }}
{{- end -}}

{{/*
GOMEMLIMIT: 90 % of a memory limit given in Mi or Gi, so the Go collector
works harder before the kernel would kill the container.
*/}}
{{- define "bookwell.gomemlimit" -}}
{{- $lim := "" -}}
{{- if and . .limits .limits.memory -}}{{- $lim = toString .limits.memory -}}{{- end -}}
{{- if hasSuffix "Mi" $lim -}}
{{- printf "%dMiB" (div (mul (trimSuffix "Mi" $lim | atoi) 9) 10) -}}
{{- else if hasSuffix "Gi" $lim -}}
{{- printf "%dMiB" (div (mul (trimSuffix "Gi" $lim | atoi) 1024 9) 10) -}}
{{- end -}}
{{- end -}}
