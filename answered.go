package workspace

import (
	"context"
	"time"
)

// A call's answer is "in hand" once its 2xx body has been read whole:
// whatever follows (decoding it) sends nothing more, since a body that
// does not decode is a final error, never retried. Methods that run many
// calls at once act at that moment rather than when the call returns,
// through a function the context carries:
//
//   - CheckImages frees the chunk's place among the requests in flight,
//     so that the next chunk is on the wire while this one is decoded;
//   - an All iterator makes a page fetched ahead wait there for the page
//     before it to be decoded, so that pages are decoded in the order
//     they are yielded: the one the caller needs next first, rather than
//     last among pages that arrived together.

// answeredKey is the context key of that function.
type answeredKey struct{}

// withAnswered returns ctx carrying f, called (by every call made with
// the context, so possibly more than once) when a call's answer is in
// hand.
func withAnswered(ctx context.Context, f func()) context.Context {
	return context.WithValue(ctx, answeredKey{}, f)
}

// answered calls ctx's function, if any: the call's answer is in hand. It
// returns the time the function took (an All iterator's page waits there
// for the page before it), which is not the attempt's: its Duration, that
// observers report as the request's time, leaves it out.
func answered(ctx context.Context) time.Duration {
	if f, ok := ctx.Value(answeredKey{}).(func()); ok {
		start := time.Now()
		f()
		return time.Since(start)
	}
	return 0
}
