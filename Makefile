# Sky Port. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
PREFIX ?= $(HOME)/.local
BIN := bin
SHIMS := sbatch squeue scancel sacct sinfo scontrol srun sacctmgr sshare
GOLANGCI_LINT := github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
FUZZTIME ?= 30s

.PHONY: help build run install test bench compat fuzz golden lint check clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

# The supervisor and the client binary are static (no cgo): they start
# faster, and the supervisor runs unchanged on other hosts. What needs the
# system's name service (user and group lookups) is done by skyportd.
build: ## build skyportd, its lean job supervisor and the shims (one multi-call binary, linked per command) into bin/
	@mkdir -p $(BIN)
	$(GO) build -trimpath -o $(BIN)/skyportd ./cmd/skyportd
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags=-s -o $(BIN)/skyport-supervise ./cmd/skyport-supervise
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags=-s -o $(BIN)/skyport ./cmd/skyport
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags=-s -o $(BIN)/skyport-watch ./cmd/skyport-watch
	@for s in $(SHIMS); do ln -sf skyport $(BIN)/$$s; done

run: build ## build and run the daemon in the foreground (local gate, state under ~/.local/state/skyport)
	@echo "shims: export PATH=$(CURDIR)/$(BIN):\$$PATH"
	exec $(BIN)/skyportd

install: build ## install skyportd, skyport and the shim links into $(PREFIX)/bin
	@mkdir -p $(PREFIX)/bin
	install -m 0755 $(BIN)/skyportd $(BIN)/skyport-supervise $(BIN)/skyport $(BIN)/skyport-watch $(PREFIX)/bin/
	@for s in $(SHIMS); do ln -sf skyport $(PREFIX)/bin/$$s; done
	@echo "installed into $(PREFIX)/bin; put it on PATH before any real Slurm"

test: ## vet, then every test with the race detector
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 25m ./...

bench: build ## print the benchmark table (against real Slurm too when it is up)
	$(GO) run ./internal/bench -bin $(CURDIR)/$(BIN)

compat: build ## differential suite: the same cases against real Slurm (up first: ../shared/slurm/up.sh) and Sky Port, every difference reported
	$(GO) run ./internal/compatdiff -bin $(CURDIR)/$(BIN) $(COMPATFLAGS)

# The inputs a fuzz run finds interesting are copied from Go's cache into the
# package's testdata/fuzz, so that `go test` replays them from then on;
# review them and commit them.
fuzz: ## run every fuzz target for FUZZTIME each and keep the corpus it finds in testdata/fuzz
	@set -e; cache=$$($(GO) env GOCACHE)/fuzz; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $(FUZZFLAGS) $$pkg; \
	    if [ -d "$$cache/$$pkg/$$f" ]; then mkdir -p "$$dir/testdata/fuzz/$$f"; cp -n "$$cache/$$pkg/$$f"/* "$$dir/testdata/fuzz/$$f/" 2>/dev/null || true; fi; \
	  done; done

golden: ## rewrite the shims' golden outputs from the current code (review the diff!)
	$(GO) test ./shims/... -run TestScripts -update

lint: ## golangci-lint (pinned) with the project's rules
	$(GO) run $(GOLANGCI_LINT) run ./...

check: lint test ## what CI runs, plus lint

clean: ## remove build output
	rm -rf $(BIN)
