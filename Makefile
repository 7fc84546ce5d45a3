# Parley: `make run` starts everything locally, `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

ROUTES        := $(notdir $(patsubst %/main.go,%,$(wildcard lambdas/*/main.go)))
LAMBDA_ZIPS   := $(ROUTES:%=out/%.zip)
GO_SOURCES    := go.mod go.sum $(shell find core adapters lambdas cmd -name '*.go' -not -name '*_test.go' 2>/dev/null)
FRONTEND_SRC  := $(shell find frontend/src frontend/public -type f 2>/dev/null) $(wildcard frontend/index.html frontend/vite.config.* frontend/api-routes.ts frontend/tsconfig*.json frontend/package.json)
STORE         ?= memory
PORT          ?= 8080

# Terraform reads our own CLI configuration: the offline provider mirror where
# this machine has one, the registry everywhere else.
export TF_CLI_CONFIG_FILE := $(CURDIR)/.tmp/terraform.rc

.PHONY: all depend build build-lambdas build-frontend run test test-go check test-dynamodb test-terraform test-frontend test-e2e test-contract bench bench-e2e bundle-size clean

all: build

## depend: download Go modules and install the SPA's packages
depend: frontend/node_modules/.package-lock.json
	go mod download

## build: every Lambda zip in out/ and the SPA in frontend/dist
build: build-lambdas build-frontend

## build-lambdas: cross-compile each route to a linux/arm64 `bootstrap`, zipped to out/<route>.zip
build-lambdas: $(LAMBDA_ZIPS)

out/%.zip: $(GO_SOURCES)
	@mkdir -p .tmp/lambda/$* out
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -trimpath -tags lambda.norpc -ldflags='-s -w -buildid=' -o .tmp/lambda/$*/bootstrap ./lambdas/$*
	@# A fixed timestamp makes the zip, and so Terraform's source hash, reproducible.
	touch -t 198001010000 .tmp/lambda/$*/bootstrap
	rm -f $@ && cd .tmp/lambda/$* && zip -q -X ../../../$@ bootstrap

## build-frontend: the SPA, rebuilt only when its sources changed
build-frontend: frontend/dist/index.html

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	npm --prefix frontend ci --no-audit --no-fund

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SRC)
	npm --prefix frontend run build

## run: the SPA, the API and the development sign-in on http://localhost:$(PORT) (STORE=dynamodb for DynamoDB Local)
run: build-frontend
	@echo "compiling the local server (about 30 s the first time, a second after that)"
	@go build -o .tmp/parley ./cmd/parley
ifeq ($(STORE),dynamodb)
	scripts/dynamodb-local.sh run --data .data/dynamodb -- env PARLEY_STORE=dynamodb PORT=$(PORT) .tmp/parley
else
	PORT=$(PORT) .tmp/parley
endif

## test: every suite, each to its end, then one summary: Go (memory and DynamoDB Local), Terraform, the SPA, the browser end to end
test: frontend/node_modules/.package-lock.json .tmp/terraform.rc
	scripts/test-all.sh

## check: formatting and vet
check:
	@unformatted=$$(gofmt -l core adapters lambdas cmd terraform 2>/dev/null); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...

## test-go: every Go test, the store contract on the memory store and on DynamoDB Local
test-go:
	scripts/dynamodb-local.sh run -- go test -race -count=1 ./...

.tmp/terraform.rc:
	@mkdir -p .tmp
	@if [ -d /opt/tf-plugins ]; then \
	  printf 'provider_installation {\n  filesystem_mirror {\n    path    = "/opt/tf-plugins"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n' > $@; \
	else : > $@; fi

## test-terraform: fmt, validate, plan checks, apply and destroy against moto_server
test-terraform: .tmp/terraform.rc
	scripts/test-terraform.sh

## test-frontend: the SPA's unit and component tests
test-frontend: frontend/node_modules/.package-lock.json
	npm --prefix frontend test

## test-e2e: the ChatAPI contract on the REST adapter against the local server, then two people chat in Chromium
test-e2e: build-frontend frontend/node_modules/.package-lock.json
	@# Both run, so a failing contract does not hide the browser's result.
	status=0; scripts/test-contract.sh || status=$$?; PARLEY_SPA_BUILT=1 scripts/test-e2e.sh || status=$$?; exit $$status

## test-contract: the ChatAPI contract suite on the REST adapter against the local server (npm test runs it in memory)
test-contract: frontend/node_modules/.package-lock.json
	scripts/test-contract.sh

## bench-e2e: send -> shown in the other browser (Chromium, local server), p50/p99 over 200 messages
bench-e2e: build-frontend
	scripts/bench-e2e.sh

## bench: handler latency, local server throughput, live feeds, DynamoDB cost per route, Lambda cold starts beside floors, zip and bundle sizes
bench: build
	scripts/bench.sh

bundle-size: build-frontend
	scripts/bundle-size.sh

## clean: remove every build output
clean:
	rm -rf out .tmp frontend/dist

help:
	@grep -E '^## ' Makefile | sed 's/^## /  /'
