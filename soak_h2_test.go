package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
)

// The fault soak over HTTP/2 (TLS), issue 11: 16 goroutines make 1,000
// mixed calls through a frame-level server that, after carrying a request
// out, resets 3% of streams with PROTOCOL_ERROR and 1% with
// REFUSED_STREAM (the codes on which Go's HTTP/2 client sends a request
// again by itself), sends GOAWAY on 1% (closing the connection), and
// answers 10% with 503, 5% of reads with 429 before the handler, and 1%
// with an HTML page. Every batch-delete must arrive at most once.
func TestSoakFaultsHTTP2(t *testing.T) {
	relNoLeak(t)
	const workers, calls = 16, 1000
	soak := newSoakServer(t) // for its answers
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(2026, 12))
	faults := map[string]int{}
	arrived, executed := map[string]int{}, map[string]int{}
	ts := hsH2Server(t, func(r *hsRequest) hsReply {
		isDelete := strings.HasSuffix(r.Path, "/volumes/batch-delete")
		mu.Lock()
		x := rng.Float64()
		fault := ""
		switch {
		case x < 0.05 && !isDelete:
			fault = "429"
		case x < 0.15:
			fault = "503"
		case x < 0.18:
			fault = "rst-protocol"
		case x < 0.19:
			fault = "rst-refused"
		case x < 0.20:
			fault = "goaway"
		case x < 0.21:
			fault = "html"
		}
		faults[fault]++
		if isDelete {
			vol := hsVolume(t, r.Body)
			arrived[vol]++
			if fault != "429" {
				executed[vol]++
			}
		}
		mu.Unlock()
		req, _ := http.NewRequest(r.Method, "https://h"+testBasePath+r.Path, nil) // answer expects the shared base path
		answer, ok := soak.answer(req)
		if !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.Path)
			return hsReply{Status: 404}
		}
		jsonHeader := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"soak-h2"}}
		switch fault {
		case "429":
			return hsReply{Status: 429, Header: http.Header{"Retry-After": {"1"}}, Body: `{"error_code":"APIGW.0308","error_msg":"throttled"}`}
		case "503":
			return hsReply{Status: 503, Header: jsonHeader, Body: `{"error_code":"WKS.503","error_msg":"injected"}`}
		case "rst-protocol":
			return hsReply{Verdict: hsReset, Code: http2.ErrCodeProtocol}
		case "rst-refused":
			return hsReply{Verdict: hsReset, Code: http2.ErrCodeRefusedStream}
		case "goaway":
			return hsReply{Verdict: hsGoAway}
		case "html":
			return hsReply{Header: http.Header{"Content-Type": {"text/html"}}, Body: "<html><body>upstream hiccup</body></html>"}
		}
		return hsReply{Header: jsonHeader, Body: answer}
	})
	counter := &attemptCounter{retries: map[int64]int{}}
	policy := RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 3 * time.Millisecond}
	c := relClient(t, ts.URL, WithRetryPolicy(policy), WithLogger(slog.New(counter)))
	hsUseDefaultTransport(t, c, ts) // the SDK's own transport, HTTP/2 on

	type result struct {
		op    int
		volID string
		err   error
	}
	work := make(chan int)
	results := make(chan result, calls)
	ctx := context.Background()
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				res := result{op: i % 4}
				switch res.op {
				case 0:
					_, res.err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
				case 1:
					res.volID = fmt.Sprintf("vol-%04d", i)
					req := &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: res.volID, Type: "SSD", Size: 20}}}
					_, res.err = c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", req)
				case 2:
					_, res.err = c.Snapshots.List(ctx, &ListSnapshotsOptions{Limit: 10})
				case 3:
					_, res.err = c.Desktops.CheckImages(ctx, []string{"d-1"})
				}
				results <- res
			}
		}()
	}
	for i := range calls {
		work <- i
	}
	close(work)
	wg.Wait()
	close(results)
	elapsed := time.Since(start)

	var reads, readOK, deletes, deleteOK int
	errKinds := map[string]int{}
	deleteErr := map[string]error{}
	for res := range results {
		if res.op == 1 {
			deletes++
			deleteErr[res.volID] = res.err
			if res.err == nil {
				deleteOK++
			}
		} else {
			reads++
			if res.err == nil {
				readOK++
			}
		}
		if res.err != nil {
			msg := res.err.Error()
			if i := strings.LastIndex(msg, ": "); i >= 0 {
				msg = msg[i+2:]
			}
			errKinds[fmt.Sprintf("op%d %.60s", res.op, msg)]++
		}
	}
	require.Equal(t, calls, reads+deletes)

	mu.Lock()
	arrivals := map[int]int{} // arrivals per batch-delete -> how many
	for id, err := range deleteErr {
		n := arrived[id]
		arrivals[n]++
		assert.LessOrEqual(t, n, 1, "batch-delete %s arrived %d times", id, n)
		assert.LessOrEqual(t, executed[id], 1)
		if err == nil {
			assert.Equal(t, 1, executed[id], "batch-delete %s succeeded", id)
		}
	}
	faultText := relFaultText(faults)
	mu.Unlock()
	assert.GreaterOrEqual(t, float64(readOK)/float64(reads), 0.95)
	assert.Less(t, elapsed, 60*time.Second)

	var arrivalText []string
	keys := make([]int, 0, len(arrivals))
	for k := range arrivals {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		arrivalText = append(arrivalText, fmt.Sprintf("%d arrival(s): %d", k, arrivals[k]))
	}
	counter.mu.Lock()
	attempts, giveUps := counter.attempts, counter.giveUps
	counter.mu.Unlock()
	errJSON, _ := json.Marshal(errKinds)
	t.Logf("soak h2: %d calls (%d reads, %d batch-deletes) by %d goroutines in %v; %d attempts, %d give-ups",
		calls, reads, deletes, workers, elapsed.Round(time.Millisecond), attempts, giveUps)
	t.Logf("soak h2: injected %s", faultText)
	t.Logf("soak h2: reads ok %d/%d, batch-deletes ok %d/%d; per batch-delete %s", readOK, reads, deleteOK, deletes, strings.Join(arrivalText, ", "))
	t.Logf("soak h2: errors %s", errJSON)
}
