# bookwell — build, generate, run and test.
#
#   make dev       the whole stack on this machine (Ctrl-C stops it)
#   make test      every test: unit and integration against real servers
#   make chaos     the fault-injection run at full size (1,000 bookings; make test runs 100)
#   make generate  regenerate gen/ from proto/, and the console's TypeScript client
#                  from gen/ (committed; CI checks both are fresh)
#   make lint      buf lint, buf breaking, go vet, staticcheck, workflowcheck
#   make tools     pinned buf, protoc plugins, Temporal CLI and server, stripe-mock, helm and the linters into bin/
#   make console   build the web console (services/console) into its dist/
#   make images    an OCI image tarball per process in dist/images (no Docker engine),
#                  the console's build inside consoled's
#   make chart     lint, render and validate the Helm chart; package it into dist/
#   make artifacts both: what a fresh clone needs to deploy
#   make scale-test  two replicas of every process on a 3-node NATS cluster and
#                  the Temporal server on Postgres, with kills (SCALE_BOOKINGS=300)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
BIN := $(CURDIR)/bin
export GOBIN := $(BIN)
export PATH := $(BIN):$(PATH)

BUF_VERSION            := v1.75.0
PROTOC_GEN_GO_VERSION  := v1.36.12
PROTOC_GEN_GRPC_VERSION := v1.6.2
GRPC_GATEWAY_VERSION   := v2.32.0
# protoc-gen-openapi: the OpenAPI 3 document the console's client is typed from.
GNOSTIC_VERSION        := v0.7.1
TEMPORAL_CLI_VERSION   := v1.5.1
# Stripe's API mock, which the payments service's Stripe adapter is tested against.
STRIPE_MOCK_VERSION    := v0.203.0
# The linters: staticcheck (honnef.co/go/tools 2026.1.x) and Temporal's
# determinism checker for workflow code.
STATICCHECK_VERSION    := v0.8.2
WORKFLOWCHECK_VERSION  := v0.6.0
# Helm, to lint and render deploy/helm/bookwell (make test, make chart).
HELM_VERSION           := v3.22.0
# The Temporal server and its SQL schema tool, for the multi-node runners
# (deploy/cluster): the server on SQL persistence in Postgres. v1.32.0 is the
# newest that builds with Go 1.26.8 (v1.32.1 and later need 1.26.10).
TEMPORAL_SERVER_VERSION := v1.32.0
# The googleapis protos (google/api/annotations.proto, http.proto) ship in
# grpc-gateway v1's module; the OpenAPI options in v2's.
GOOGLEAPIS_MODULE      := github.com/grpc-ecosystem/grpc-gateway@v1.16.0
# The local trace viewer and metrics server for make dev (optional: make dev
# runs without them): Jaeger's all-in-one program and Prometheus's server.
JAEGER_VERSION         := v1.76.0
PROMETHEUS_VERSION     := v0.316.0

# The web console (services/console) is an npm project whose Go server is the
# module in its server/ folder.
CONSOLE := services/console
MODULES := pkg gen deploy e2e $(patsubst %/go.mod,%,$(wildcard services/*/go.mod $(CONSOLE)/server/go.mod))

.PHONY: all tools tools-observability generate check-generated lint buf-lint breaking vet staticcheck workflowcheck test test-short bench chaos dev build clean-dev token \
	console console-deps chromium screenshots images chart artifacts scale-test

all: build

# ---- tools: one stamp per tool and version, so a second run does nothing.
TOOL_STAMPS := $(BIN)/.buf-$(BUF_VERSION) $(BIN)/.protoc-gen-go-$(PROTOC_GEN_GO_VERSION) \
	$(BIN)/.protoc-gen-go-grpc-$(PROTOC_GEN_GRPC_VERSION) $(BIN)/.grpc-gateway-$(GRPC_GATEWAY_VERSION) \
	$(BIN)/.temporal-$(TEMPORAL_CLI_VERSION) $(BIN)/.stripe-mock-$(STRIPE_MOCK_VERSION) \
	$(BIN)/.staticcheck-$(STATICCHECK_VERSION) $(BIN)/.workflowcheck-$(WORKFLOWCHECK_VERSION) \
	$(BIN)/.gnostic-$(GNOSTIC_VERSION) \
	$(BIN)/.helm-$(HELM_VERSION) $(BIN)/.temporal-server-$(TEMPORAL_SERVER_VERSION)
tools: $(TOOL_STAMPS)

# Jaeger and Prometheus for make dev, which starts each one built here; each
# is a long build (minutes), and a failure leaves make dev as it was.
tools-observability: $(BIN)/.jaeger-$(JAEGER_VERSION) $(BIN)/.prometheus-$(PROMETHEUS_VERSION)
$(BIN)/.jaeger-$(JAEGER_VERSION):
	@echo "building Jaeger $(JAEGER_VERSION) (takes several minutes)"
	@# Jaeger's go.mod has replace directives, which go install refuses: build
	@# it as a tool of a throwaway module (its replaces are then ignored).
	d=$$(mktemp -d) && cd $$d && GOWORK=off go mod init jaeger-build >/dev/null 2>&1 && \
		GOWORK=off go get -tool github.com/jaegertracing/jaeger/cmd/jaeger@$(JAEGER_VERSION) && \
		GOWORK=off go build -o $(BIN)/jaeger github.com/jaegertracing/jaeger/cmd/jaeger && rm -rf $$d
	@touch $@
$(BIN)/.prometheus-$(PROMETHEUS_VERSION):
	@echo "building Prometheus $(PROMETHEUS_VERSION) (takes several minutes)"
	go install github.com/prometheus/prometheus/cmd/prometheus@$(PROMETHEUS_VERSION)
	@touch $@

$(BIN)/.buf-$(BUF_VERSION):
	go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
	@touch $@
$(BIN)/.protoc-gen-go-$(PROTOC_GEN_GO_VERSION):
	go install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	@touch $@
$(BIN)/.protoc-gen-go-grpc-$(PROTOC_GEN_GRPC_VERSION):
	go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GRPC_VERSION)
	@touch $@
$(BIN)/.grpc-gateway-$(GRPC_GATEWAY_VERSION):
	go install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@$(GRPC_GATEWAY_VERSION) \
		github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2@$(GRPC_GATEWAY_VERSION)
	@touch $@
$(BIN)/.temporal-$(TEMPORAL_CLI_VERSION):
	@echo "building the Temporal CLI $(TEMPORAL_CLI_VERSION) (takes a few minutes the first time)"
	go install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)
	@touch $@
$(BIN)/.stripe-mock-$(STRIPE_MOCK_VERSION):
	go install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION)
	@touch $@
$(BIN)/.staticcheck-$(STATICCHECK_VERSION):
	go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@touch $@
$(BIN)/.workflowcheck-$(WORKFLOWCHECK_VERSION):
	go install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)
	@touch $@
$(BIN)/.gnostic-$(GNOSTIC_VERSION):
	go install github.com/google/gnostic/cmd/protoc-gen-openapi@$(GNOSTIC_VERSION)
	@touch $@

# ---- console: npm ci when the lock file changes (node_modules is git-ignored).
$(CONSOLE)/node_modules/.package-lock.json: $(CONSOLE)/package-lock.json $(CONSOLE)/package.json
	cd $(CONSOLE) && npm ci --no-audit --no-fund
	@touch $@
console-deps: $(CONSOLE)/node_modules/.package-lock.json

console: console-deps
	cd $(CONSOLE) && npm run -s build

# The browser tests drive the machine's Chromium (nothing can download one).
chromium:
	@$(CONSOLE)/scripts/ensure-chromium.sh

# Screenshots of the main pages into docs/screenshots, from a running stack
# (`make dev` in another terminal; CONSOLE_URL to point elsewhere).
screenshots: console-deps chromium
	cd $(CONSOLE) && npm run -s screenshots
$(BIN)/.helm-$(HELM_VERSION):
	@echo "building helm $(HELM_VERSION) (takes a few minutes the first time)"
	go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)
	@touch $@
$(BIN)/.temporal-server-$(TEMPORAL_SERVER_VERSION):
	@echo "building the Temporal server $(TEMPORAL_SERVER_VERSION) (takes a few minutes the first time)"
	@rm -rf $(BIN)/.temporal-server-build && mkdir -p $(BIN)/.temporal-server-build
	GOBIN=$(BIN)/.temporal-server-build go install go.temporal.io/server/cmd/server@$(TEMPORAL_SERVER_VERSION) \
		go.temporal.io/server/cmd/tools/sql@$(TEMPORAL_SERVER_VERSION)
	mv $(BIN)/.temporal-server-build/server $(BIN)/temporal-server
	mv $(BIN)/.temporal-server-build/sql $(BIN)/temporal-sql-tool
	@rm -rf $(BIN)/.temporal-server-build
	@touch $@

# ---- generate: copy proto dependencies out of the Go module cache, then buf.
third_party/protos: Makefile
	@rm -rf $@ && mkdir -p $@/google/api $@/protoc-gen-openapiv2/options
	@gapi=$$(go mod download -json $(GOOGLEAPIS_MODULE) | sed -n 's/.*"Dir": "\(.*\)",/\1/p'); \
	 gw=$$(go mod download -json github.com/grpc-ecosystem/grpc-gateway/v2@$(GRPC_GATEWAY_VERSION) | sed -n 's/.*"Dir": "\(.*\)",/\1/p'); \
	 cp $$gapi/third_party/googleapis/google/api/{annotations,http,httpbody}.proto $@/google/api/; \
	 cp $$gw/protoc-gen-openapiv2/options/{annotations,openapiv2}.proto $@/protoc-gen-openapiv2/options/; \
	 chmod -R u+w $@

generate: tools third_party/protos console-deps
	buf format -w proto
	buf lint
	buf generate
	cd $(CONSOLE) && npm run -s generate

# CI: generated code must be what the protos produce.
GENERATED := gen proto $(CONSOLE)/src/api/schema.d.ts
check-generated: generate
	@git diff --exit-code --stat -- $(GENERATED) || { echo "gen/ or the console's client is stale: run 'make generate' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- $(GENERATED))" || { git status --porcelain -- $(GENERATED); echo "gen/ has untracked files: run 'make generate' and commit"; exit 1; }

# ---- lint: every static check CI runs (.ci/run), each also a target.
lint: buf-lint breaking vet staticcheck workflowcheck

buf-lint: tools third_party/protos
	buf lint

# The protos must not break what the previous commit of main published
# (buf.yaml: breaking FILE); .ci/buf-breaking says which commit that is.
breaking: tools third_party/protos
	.ci/buf-breaking

vet:
	go vet $(MODULES:%=./%/...)

staticcheck: tools
	staticcheck $(MODULES:%=./%/...)

# Workflow code must be deterministic (its exceptions: .ci/workflowcheck.yaml).
workflowcheck: tools
	workflowcheck -config .ci/workflowcheck.yaml ./services/booking/internal/workflow/...

build: console
	go build $(MODULES:%=./%/...)

# ---- test: unit and integration tests. Integration tests use the Postgres at
# TEST_DATABASE_URL (default 127.0.0.1:5432), an in-process NATS JetStream
# server, and a Temporal dev server started from bin/temporal. The console's
# unit tests run in Vitest; its browser tests (e2e/console_test.go) drive
# Chromium through the built console against the real stack.
test: tools console chromium
	cd $(CONSOLE) && npm test
	go test -count=1 -timeout 20m $(MODULES:%=./%/...)

# ---- scale-test: e2e/TestScaleOut (deploy/cluster's topology) with
# SCALE_BOOKINGS bookings; the whole log goes to .dev/scale-test.log, the
# figures to the terminal.
SCALE_BOOKINGS ?= 300
scale-test: tools
	@mkdir -p .dev
	SCALE_BOOKINGS=$(SCALE_BOOKINGS) go test -count=1 -v -run '^TestScaleOut$$' -timeout 20m ./e2e/ 2>&1 \
		| tee .dev/scale-test.log \
		| grep --line-buffered -v -E 'level=(INFO|DEBUG)|^=== (RUN|PAUSE|CONT)'

bench: tools
	go test -run '^$$' -bench . -benchmem $(MODULES:%=./%/...)

# ---- chaos: bookings under a seeded schedule of kills, freezes and restarts
# of every process and server, then the invariants (e2e/chaos_test.go).
# CHAOS_BOOKINGS (1000), CHAOS_SEED (printed; set it to replay a run),
# CHAOS_CLIENTS (6), CHAOS_REPORT (a file for the figures, as Markdown),
# CHAOS_TOPOLOGY (single, or replicated: a NATS node of three, one replica of
# two of each process).
chaos: tools
	CHAOS_BOOKINGS=$${CHAOS_BOOKINGS:-1000} go test -count=1 -timeout 120m -v -run '^TestChaos$$' ./e2e/

# ---- dev: the whole stack; state is kept in .dev/ between runs.
dev: tools console
	@go build -o $(BIN)/devstack ./deploy/cmd/devstack && exec $(BIN)/devstack

clean-dev:
	rm -rf .dev

# ---- images: one OCI image per process (static binary, CA certificates, time
# zones, user 65532, empty base) as dist/images/<process>.tar, built with
# go-containerregistry; `docker load`, `crane push` and `kind load` take them.
# consoled's image also carries the console's build (services/console/dist,
# hence `console` first) in a layer of its own, where CONSOLE_DIST_DIR points.
IMAGE_TAG  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
IMAGE_REPO ?= bookwell
images: console
	go run ./deploy/cmd/images -out dist/images -tag $(IMAGE_TAG) -repository $(IMAGE_REPO) \
		-created $$(git log -1 --format=%ct 2>/dev/null || echo 0) -revision $$(git rev-parse HEAD 2>/dev/null || echo unknown)

# ---- chart: helm lint, helm template for the defaults and every values file
# in deploy/helm/values, each object decoded strictly into the Kubernetes API
# types and cross-checked (deploy/helm/chart_test.go, also part of make test);
# then the packaged chart and one render per values file in dist/chart, with
# an example identity provider (the chart refuses to render without one).
CHART_EXAMPLE_SET ?= auth.issuer=https://login.example.com/,auth.audience=https://api.example.com,console.oidc.clientId=bookwell-console
chart: tools
	go test -count=1 ./deploy/helm/
	@rm -rf dist/chart && mkdir -p dist/chart
	helm package deploy/helm/bookwell -d dist/chart
	@for f in deploy/helm/values/*.yaml; do \
		helm template bookwell deploy/helm/bookwell --kube-version 1.31.0 -f $$f --set $(CHART_EXAMPLE_SET) > dist/chart/$$(basename $$f .yaml).rendered.yaml; \
	done
	@ls dist/chart

artifacts: images chart

# ---- token: a bearer token for the local stack, e.g. make token SUB=mentor-1 ROLE=mentor
token:
	@go run ./deploy/cmd/devtoken -sub "$(SUB)" -role "$(or $(ROLE),mentee)"

# ---- histories: re-record the booking workflow histories the replay test
# checks (after a deliberate, versioned workflow change only).
record-histories: tools
	go test -count=1 -run TestRecordHistories ./services/booking/internal/workflow/ -args -record
