package workspace

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSmallCallAllocationsNearRaw pins the allocation target of a small
// call where `make test` sees it, not only in `make bench`: one small call (the
// statistics GET) costs at most 1.20x the allocations of the same call
// written with net/http and encoding/json (as bench/'s "raw": a client
// with a one-minute timeout), with a token and with AK/SK, counted in the
// same run against the same loopback server (whose own allocations are in
// every count, as in the benchmarks). It logs the count of raw without a
// client timeout too, which allocates about ten fewer.
func TestSmallCallAllocationsNearRaw(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"product_id": 1, "image_id": 2, "disk_num": 3, "disk_size": 4}`))
	}))
	t.Cleanup(ts.Close)
	ctx := context.Background()
	const path = "/v2/" + testProjectID + "/desktop-pools/pool-1/inconsistent-statics"

	rawClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: time.Minute}
	t.Cleanup(rawClient.CloseIdleConnections)
	leanClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(leanClient.CloseIdleConnections)
	rawCall := func(hc *http.Client) func() error {
		return func() error {
			req, err := http.NewRequestWithContext(ctx, "GET", ts.URL+path, nil)
			if err != nil {
				return err
			}
			req.Header.Set("X-Auth-Token", testToken)
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			var out struct {
				ProductID int `json:"product_id"`
				ImageID   int `json:"image_id"`
				DiskNum   int `json:"disk_num"`
				DiskSize  int `json:"disk_size"`
			}
			return json.NewDecoder(resp.Body).Decode(&out)
		}
	}
	sdkCall := func(c *Client) func() error {
		t.Cleanup(func() { closeIdle(c) })
		return func() error {
			_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
			return err
		}
	}
	aksk, err := NewClient(WithEndpoint(ts.URL), WithProjectID(testProjectID), WithAccessKey("AK-alloc", "SK-alloc"))
	require.NoError(t, err)

	count := func(call func() error) float64 {
		require.NoError(t, call()) // dial outside the count
		return testing.AllocsPerRun(300, func() {
			if err := call(); err != nil {
				t.Error(err)
			}
		})
	}
	raw := count(rawCall(rawClient))
	lean := count(rawCall(leanClient))
	token := count(sdkCall(clientFor(t, ts.URL)))
	signed := count(sdkCall(aksk))
	t.Logf("allocations per call: raw %.0f (without a client timeout %.0f), token %.0f (%.2fx), AK/SK %.0f (%.2fx)",
		raw, lean, token, token/raw, signed, signed/raw)
	assert.LessOrEqual(t, token, 1.20*raw, "token call")
	assert.LessOrEqual(t, signed, 1.20*raw, "AK/SK call")
}

// The observer's path costs no allocation without an observer, nor with
// only a logger whose debug records are off.
func TestObserverPathAllocatesNothing(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	for _, tt := range []struct {
		name string
		o    Observer
	}{
		{"no observer", nil},
		{"logger above debug", logObserver{l: quiet}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			co := &core{observer: tt.o, scheme: "https", host: "h", prefix: "/v2/p"}
			ctx := context.Background()
			allocs := testing.AllocsPerRun(200, func() {
				cctx, oc := co.startCall(ctx, opShowJob, "GET", "/v2/p/workspace-jobs/j")
				actx := oc.startAttempt(cctx, 1)
				res := attemptRecord{status: 200, requestID: "r"}
				oc.endAttempt(actx, 1, 1, &res, decision{}, false)
				var err error
				oc.end(&err)
			})
			assert.Zero(t, allocs)
		})
	}
}
