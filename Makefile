# Every target works on a fresh machine with Go installed: tools come
# through the Go module proxy, pinned here.
GO          ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 20s
FUZZSHORT   ?= 10000x
BENCHCOUNT  ?= 6
# The newer supported Go release, fetched through the module proxy by the
# go command itself (GOTOOLCHAIN); the machine's own Go runs `make test`.
GO_NEXT     ?= go1.27.3
# bench runs under each of these GOTOOLCHAIN values, side by side;
# BENCHGO=local for the installed Go only.
BENCHGO     ?= local,$(GO_NEXT)

.PHONY: all help test test-go1.27 fmt-check vet staticcheck unit otel example example-telemetry bench compat cover fuzz fuzz-short tidy

all: test

## help: list the targets with what they do
help:
	@grep -E '^## [a-z0-9.-]+:' $(MAKEFILE_LIST) | sed -e 's/^## //' | awk -F': ' '{ printf "  %-12s %s\n", $$1, $$2 }'

## test: every check CI runs (format, vet, staticcheck, race-enabled tests, a short fuzz), every module
test: fmt-check vet staticcheck unit fuzz-short otel

## test-go1.27: vet, staticcheck and the tests on Go 1.27 (GO_NEXT=go1.27.3, fetched by the go command on first use)
test-go1.27:
	GOTOOLCHAIN=$(GO_NEXT) $(MAKE) --no-print-directory vet staticcheck unit

## fmt-check: fail if gofmt would change a tracked Go file
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## vet: go vet over every package
vet:
	$(GO) vet ./...
	$(GO) vet -tags demo ./examples/...

## staticcheck: staticcheck (pinned) over every package
staticcheck:
	$(STATICCHECK) ./...
	$(STATICCHECK) -tags demo ./examples/...

## unit: every test with the race detector, and the examples on the fake (-tags demo)
unit:
	$(GO) test -race -count=1 ./...
	$(GO) test -race -count=1 -tags demo ./examples/...

## otel: vet, staticcheck and race-enabled tests of otelworkspace and examples/telemetry (own modules)
OTEL_MODULES = otelworkspace examples/telemetry
otel:
	@set -e; for m in $(OTEL_MODULES); do \
	  echo "== $$m"; \
	  (cd $$m && $(GO) vet ./... && $(STATICCHECK) ./... && $(GO) test -race -count=1 ./... && \
	    $(GO) vet -tags demo ./... && $(STATICCHECK) -tags demo ./... && $(GO) test -race -count=1 -tags demo ./...); \
	done

## example: run the quickstart against the embedded fake server (no credentials needed)
# -tags demo links the fake in (a plain build leaves it out); -demo uses it.
example:
	$(GO) run -tags demo ./examples/quickstart -demo

## example-telemetry: print the OpenTelemetry spans and metrics of a few calls on the fake
example-telemetry:
	cd examples/telemetry && $(GO) run -tags demo . -demo

## bench: benchmarks against raw net/http, resty and the vendor SDK (own module), Go 1.26 and 1.27 side by side; then the round trips of the bulk work against the vendor and the floor
bench:
	cd bench && $(GO) run ./cmd/benchtable -count $(BENCHCOUNT) -go $(BENCHGO) -bench BenchmarkCall
	cd bench && $(GO) run ./cmd/roundtrips -count 5

## compat: the vendor's own Go SDK against workspacetest, and both clients' wire forms (own module)
compat:
	cd compat && $(GO) vet ./... && $(STATICCHECK) ./... && $(GO) test -race -count=1 ./...

## cover: coverage of the library
cover:
	$(GO) test -count=1 -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -1

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	$(call fuzz-loop,$(FUZZTIME))

## fuzz-short: every fuzz target for 10,000 inputs each (FUZZSHORT; a count, not a time: a timed run can end in a spurious "context deadline exceeded")
fuzz-short:
	$(call fuzz-loop,$(FUZZSHORT))

# fuzz-loop runs every fuzz target of every package of the main module for
# $(1) each: the loop of fuzz and fuzz-short.
define fuzz-loop
@set -e; for pkg in $$($(GO) list ./...); do \
  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
    echo "== $$pkg $$target"; \
    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(1) $$pkg; \
  done; \
done
endef

## tidy: go mod tidy for the library and every module of its own
tidy:
	$(GO) mod tidy
	cd bench && $(GO) mod tidy
	cd compat && $(GO) mod tidy
	@for m in $(OTEL_MODULES); do (cd $$m && $(GO) mod tidy); done
