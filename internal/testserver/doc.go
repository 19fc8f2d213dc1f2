// Package testserver holds the module's loopback test servers: H2Server,
// which speaks HTTP/2 frame by frame over TLS, and H1Server, which speaks
// HTTP/1.1 over plain TCP and answers with the bytes a test gives it.
// Each answers as its test scripts it, records what it received, and is
// shut down, its connections closed and its goroutines ended, when the
// test ends.
//
// It is imported only by tests (_test.go files): the library itself must
// never import it, so that golang.org/x/net stays a test-time dependency.
// These are the module's only HTTP/2 and raw HTTP/1.1 test servers; give
// them what a new test needs rather than writing another.
package testserver
