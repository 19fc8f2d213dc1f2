package pipeline

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The package's test servers are internal/testserver's: NewH2 speaks
// HTTP/2 frame by frame over TLS on loopback, NewH1 speaks HTTP/1.1 over
// plain TCP on loopback. What follows is what the package's tests share
// besides.

// okAnswer is a small 200 answer that keeps the connection open.
const okAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"

// plainTransport is an *http.Transport with no proxy and short timeouts.
func plainTransport() *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 8,
	}
}

// countingResender allows the first Allow re-sends and refuses the rest
// with Err.
type countingResender struct {
	Allow int32
	Err   error
	calls atomic.Int32
}

func (r *countingResender) Resend(context.Context) error {
	if r.calls.Add(1) <= r.Allow {
		return nil
	}
	return r.Err
}

func (r *countingResender) Calls() int { return int(r.calls.Load()) }

var errRefusedByPolicy = errors.New("test resender: no more re-sends")

// send prepares r on c and sends it; the request is finished when the
// test ends.
func send(t testing.TB, ctx context.Context, c *Client, method, url string, body []byte, write bool, rs Resender) (*Request, *http.Response, error) {
	t.Helper()
	r := new(Request)
	c.Prepare(r)
	r.Header()["X-Auth-Token"] = []string{"tok-secret-123"}
	r.Method, r.URL, r.Path, r.Body = method, url, "/v1/things", body
	r.Attempt.Write, r.Attempt.Resender = write, rs
	t.Cleanup(r.Finish)
	resp, err := c.Send(ctx, r)
	return r, resp, err
}

// readAll reads and closes an answer's body.
func readAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	return string(data)
}

// asSendError requires err to be a *SendError and returns it.
func asSendError(t testing.TB, err error) *SendError {
	t.Helper()
	require.Error(t, err)
	var se *SendError
	require.ErrorAs(t, err, &se)
	return se
}

// testCtx is a context that ends with the test or after d.
func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// roundTripFunc is a RoundTripper that uses no net/http machinery.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
