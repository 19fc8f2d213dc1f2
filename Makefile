# Every target works on a fresh machine with Go installed: tools come
# through the Go module proxy, pinned here.
GO          ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME    ?= 20s
BENCHCOUNT  ?= 6

.PHONY: all test fmt-check vet staticcheck unit example bench cover fuzz tidy

all: test

## test: every check CI runs (format, vet, staticcheck, race-enabled tests)
test: fmt-check vet staticcheck unit

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(STATICCHECK) ./...

unit:
	$(GO) test -race -count=1 ./...

## example: run the quickstart against the embedded fake server (no credentials needed)
example:
	$(GO) run ./examples/quickstart

## bench: benchmarks against raw net/http, resty and the vendor SDK (own module)
bench:
	cd bench && $(GO) run ./cmd/benchtable -count $(BENCHCOUNT)

## cover: coverage of the library
cover:
	$(GO) test -count=1 -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -1

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done
