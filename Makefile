# bookwell — build, generate, run and test.
#
#   make dev       the whole stack on this machine (Ctrl-C stops it)
#   make test      every test: unit and integration against real servers
#   make generate  regenerate gen/ from proto/ (committed; CI checks it is fresh)
#   make tools     pinned buf, protoc plugins, Temporal CLI and stripe-mock into bin/

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
BIN := $(CURDIR)/bin
export GOBIN := $(BIN)
export PATH := $(BIN):$(PATH)

BUF_VERSION            := v1.75.0
PROTOC_GEN_GO_VERSION  := v1.36.12
PROTOC_GEN_GRPC_VERSION := v1.6.2
GRPC_GATEWAY_VERSION   := v2.32.0
TEMPORAL_CLI_VERSION   := v1.5.1
# Stripe's API mock, which the payments service's Stripe adapter is tested against.
STRIPE_MOCK_VERSION    := v0.203.0
# The googleapis protos (google/api/annotations.proto, http.proto) ship in
# grpc-gateway v1's module; the OpenAPI options in v2's.
GOOGLEAPIS_MODULE      := github.com/grpc-ecosystem/grpc-gateway@v1.16.0

MODULES := pkg gen deploy e2e $(wildcard services/*)

.PHONY: all tools generate check-generated lint test test-short bench dev build clean-dev token

all: build

# ---- tools: one stamp per tool and version, so a second run does nothing.
TOOL_STAMPS := $(BIN)/.buf-$(BUF_VERSION) $(BIN)/.protoc-gen-go-$(PROTOC_GEN_GO_VERSION) \
	$(BIN)/.protoc-gen-go-grpc-$(PROTOC_GEN_GRPC_VERSION) $(BIN)/.grpc-gateway-$(GRPC_GATEWAY_VERSION) \
	$(BIN)/.temporal-$(TEMPORAL_CLI_VERSION) $(BIN)/.stripe-mock-$(STRIPE_MOCK_VERSION)
tools: $(TOOL_STAMPS)

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

# ---- generate: copy proto dependencies out of the Go module cache, then buf.
third_party/protos: Makefile
	@rm -rf $@ && mkdir -p $@/google/api $@/protoc-gen-openapiv2/options
	@gapi=$$(go mod download -json $(GOOGLEAPIS_MODULE) | sed -n 's/.*"Dir": "\(.*\)",/\1/p'); \
	 gw=$$(go mod download -json github.com/grpc-ecosystem/grpc-gateway/v2@$(GRPC_GATEWAY_VERSION) | sed -n 's/.*"Dir": "\(.*\)",/\1/p'); \
	 cp $$gapi/third_party/googleapis/google/api/{annotations,http,httpbody}.proto $@/google/api/; \
	 cp $$gw/protoc-gen-openapiv2/options/{annotations,openapiv2}.proto $@/protoc-gen-openapiv2/options/; \
	 chmod -R u+w $@

generate: tools third_party/protos
	buf format -w proto
	buf lint
	buf generate

# CI: generated code must be what the protos produce.
check-generated: generate
	@git diff --exit-code --stat -- gen proto || { echo "gen/ is stale: run 'make generate' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- gen proto)" || { git status --porcelain -- gen proto; echo "gen/ has untracked files: run 'make generate' and commit"; exit 1; }

lint: tools third_party/protos
	buf lint
	go vet $(MODULES:%=./%/...)

build:
	go build $(MODULES:%=./%/...)

# ---- test: unit and integration tests. Integration tests use the Postgres at
# TEST_DATABASE_URL (default 127.0.0.1:5432), an in-process NATS JetStream
# server, and a Temporal dev server started from bin/temporal.
test: tools
	go test -count=1 -timeout 20m $(MODULES:%=./%/...)

bench: tools
	go test -run '^$$' -bench . -benchmem $(MODULES:%=./%/...)

# ---- dev: the whole stack; state is kept in .dev/ between runs.
dev: tools
	@go build -o $(BIN)/devstack ./deploy/cmd/devstack && exec $(BIN)/devstack

clean-dev:
	rm -rf .dev

# ---- token: a bearer token for the local stack, e.g. make token SUB=mentor-1 ROLE=mentor
token:
	@go run ./deploy/cmd/devtoken -sub "$(SUB)" -role "$(or $(ROLE),mentee)"

# ---- histories: re-record the booking workflow histories the replay test
# checks (after a deliberate, versioned workflow change only).
record-histories: tools
	go test -count=1 -run TestRecordHistories ./services/booking/internal/workflow/ -args -record
