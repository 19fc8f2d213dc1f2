//go:build go1.24

package pipeline

// The guard over unencrypted HTTP/2 (h2c). The build tag: the transport's
// Protocols, which opts into it, is Go 1.24's.

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/hwcloud-go/workspace/internal/testserver"
)

// A client over unencrypted HTTP/2 (a local sidecar or mesh proxy, say)
// sends a bodyless write once, though the server reads it whole and then
// resets the stream (PROTOCOL_ERROR, REFUSED_STREAM), after which Go's
// HTTP/2 transport would send a request without a body again: the guard
// knows the transport speaks h2c, so the write gets an empty body, and a
// plain connection is not taken for HTTP/1.1.
func TestGuardH2CBodylessWriteSentOnce(t *testing.T) {
	t.Parallel()
	for _, code := range []http2.ErrCode{http2.ErrCodeProtocol, http2.ErrCodeRefusedStream} {
		t.Run(code.String(), func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			srv := testserver.NewH2C(t, func(*testserver.H2Request) testserver.H2Reply {
				if n.Add(1) == 1 {
					return testserver.H2Reply{Verdict: testserver.H2Reset, Code: code}
				}
				return testserver.H2Reply{Status: 204}
			})
			tr := &http.Transport{Protocols: new(http.Protocols)}
			tr.Protocols.SetUnencryptedHTTP2(true)
			t.Cleanup(tr.CloseIdleConnections)
			c := New(&http.Client{Transport: tr}, KeepRedirects)
			ctx := testCtx(t, 10*time.Second)
			_, resp, err := send(t, ctx, c, http.MethodDelete, srv.URL+"/v1/things/1", nil, true, nil)
			if err == nil {
				resp.Body.Close()
			}
			arrivals := srv.Arrivals()
			require.NotEmpty(t, arrivals)
			assert.Len(t, arrivals, 1, "the server saw the DELETE this many times (err %v)", err)
		})
	}
}
