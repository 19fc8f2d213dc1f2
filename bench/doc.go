// Package bench compares this SDK with hand-written net/http +
// encoding/json, plain resty v2 and the vendor SDK on the same calls against
// one in-process loopback server. It holds benchmarks only; run them with
// `make bench` (which prints a table of ratios to raw net/http) or
// `go test -run '^$' -bench . -benchmem` in this directory.
//
// It is a module of its own so that nothing it compares against becomes a
// dependency of the library.
package bench
