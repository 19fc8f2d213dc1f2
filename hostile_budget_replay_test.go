package workspace

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"golang.org/x/net/http2"
)

// A read the transport sent again by itself (an HTTP/2 stream refused
// after its headers went out) and that then succeeded gives back what the
// replay took from the retry budget, as a call that succeeded after the
// SDK's own retries does. Before, every such call cost 10 tokens and
// refilled 1, so a server refusing one stream in two spent the budget of
// a client whose calls all succeeded, and calls began to fail.
func TestHostileBudgetRefilledAfterReplay(t *testing.T) {
	t.Parallel()
	const statsPath = "/v2/" + relProject + "/desktop-pools/pool-1/inconsistent-statics"
	var arrivals atomic.Int64
	ts := hsH2Server(t, func(r *hsRequest) hsReply {
		if r.Path != statsPath {
			return hsReply{Status: 404}
		}
		if arrivals.Add(1)%2 == 1 {
			return hsReply{Verdict: hsReset, Code: http2.ErrCodeRefusedStream}
		}
		return hsReply{Status: 200, Header: map[string][]string{"Content-Type": {"application/json"}}, Body: `{"product_id":1}`}
	})
	c := relClient(t, ts.URL, WithHTTPClient(ts.Client()))
	t.Cleanup(ts.Client().CloseIdleConnections)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const calls = 150 // 100 tokens' worth of replays would be gone by call 56
	failed := 0
	for range calls {
		if _, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1"); err != nil {
			failed++
		}
	}
	assert.Zero(t, failed, "calls failed out of %d, each of which the transport replayed once and then succeeded (arrivals %d)", calls, arrivals.Load())
}
