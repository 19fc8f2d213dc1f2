package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/hwcloud-go/workspace/internal/pipeline"
	"github.com/hwcloud-go/workspace/internal/testserver"
)

// The fault soak: 16 goroutines make 2,000 mixed calls through a server
// that injects 10% 503, 5% 429 with Retry-After, 2% dropped connections and
// 1% HTML bodies (half 200, half 502).
const (
	soakWorkers = 16
	soakCalls   = 2000
)

// soakServer is a small Workspace API behind a faulty gateway. A 429
// comes from the gateway, before the handler; every other fault comes
// after the handler ran, the worst case for a call that changes state.
type soakServer struct {
	t        testing.TB
	mu       sync.Mutex
	rng      *rand.Rand
	faults   map[string]int // what the gateway did, by kind
	arrived  map[string]int // batch-delete requests that arrived, by volume id
	executed map[string]int // batch-deletes the handler carried out, by volume id
}

func newSoakServer(t testing.TB) *soakServer {
	return &soakServer{
		t: t, rng: rand.New(rand.NewPCG(2026, 11)),
		faults: map[string]int{}, arrived: map[string]int{}, executed: map[string]int{},
	}
}

func (s *soakServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	isDelete := strings.HasSuffix(r.URL.Path, "/volumes/batch-delete")
	var volID string
	if isDelete {
		var req BatchDeleteVolumesRequest
		if err := json.Unmarshal(body, &req); err != nil || len(req.Volumes) != 1 {
			s.t.Errorf("batch-delete body %q", body)
			w.WriteHeader(400)
			return
		}
		volID = req.Volumes[0].ID
	}

	s.mu.Lock()
	x := s.rng.Float64()
	fault := ""
	switch {
	case x < 0.05:
		fault = "429"
	case x < 0.15:
		fault = "503"
	case x < 0.17:
		fault = "drop"
	case x < 0.175:
		fault = "html200"
	case x < 0.18:
		fault = "html502"
	}
	s.faults[fault]++
	if isDelete {
		s.arrived[volID]++
		if fault != "429" {
			s.executed[volID]++
		}
	}
	s.mu.Unlock()

	if fault == "429" {
		w.Header().Set("Retry-After", "1")
		writeAPIError(w, 429, "")
		return
	}
	answer, ok := s.answer(r)
	if !ok {
		s.t.Errorf("unexpected request %s %s", r.Method, r.URL)
		w.WriteHeader(404)
		return
	}
	switch fault {
	case "503":
		writeAPIError(w, 503, "")
	case "drop":
		hijackClose(s.t, w)
	case "html200", "html502":
		w.Header().Set("Content-Type", "text/html")
		if fault == "html502" {
			w.WriteHeader(502)
		}
		io.WriteString(w, "<html><head><title>Gateway</title></head><body>upstream hiccup</body></html>")
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "soak")
		io.WriteString(w, answer)
	}
}

// answer is the 2xx body of the operation r asks for.
func (s *soakServer) answer(r *http.Request) (string, bool) {
	p := strings.TrimPrefix(r.URL.Path, testPrefix)
	switch {
	case r.Method == "GET" && p == "/desktop-pools/pool-1/inconsistent-statics":
		return `{"product_id":1,"image_id":2,"disk_num":3,"disk_size":4}`, true
	case r.Method == "POST" && p == "/desktop-pools/pool-1/volumes/batch-delete":
		return `{"job_id":"job-1"}`, true
	case r.Method == "GET" && p == "/desktop-pools/script-execution-tasks/detail":
		return `{"total_count":1,"script_execution_tasks":[{"id":"t-1","status":"FINISH","start_time":"2025-01-02T03:04:05Z"}]}`, true
	case r.Method == "POST" && p == "/desktops/check-images":
		return `{"image_infos":[{"desktop_id":"d-1","image_id":"i-1"}]}`, true
	case r.Method == "GET" && p == "/snapshots":
		return `{"total_count":1,"desktop_snapshots":[{"snapshot_id":"s-1","create_time":"2025-01-02T03:04:05Z"}]}`, true
	case r.Method == "GET" && p == "/workspace-jobs/job-1":
		return `{"id":"job-1","status":"SUCCESS","sub_jobs":[{"id":"sj-1","status":"SUCCESS","process":"100"}]}`, true
	}
	return "", false
}

// attemptCounter is a slog.Handler that counts the client's attempt
// records by status and retry decision, and its give-ups.
type attemptCounter struct {
	mu       sync.Mutex
	attempts int
	retries  map[int64]int // retried attempts by status (0: transport error)
	giveUps  int
	badRetry []string // batch-delete attempts retried after anything but a 429
}

func (h *attemptCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *attemptCounter) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *attemptCounter) WithGroup(string) slog.Handler            { return h }

func (h *attemptCounter) Handle(_ context.Context, r slog.Record) error {
	var status int64
	var retry bool
	var path string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "status":
			status = a.Value.Int64()
		case "retry":
			retry = a.Value.Bool()
		case "path":
			path = a.Value.String()
		}
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	switch r.Message {
	case "workspace: attempt":
		h.attempts++
		if retry {
			h.retries[status]++
			if strings.HasSuffix(path, "/batch-delete") && status != 429 {
				h.badRetry = append(h.badRetry, fmt.Sprintf("status %d", status))
			}
		}
	case "workspace: giving up":
		h.giveUps++
	}
	return nil
}

// errorKind names the kind of a call's error, or "" when it is not a
// clear one: an *APIError, a *DecodeError or a transport error, each
// naming the request.
func errorKind(err error, method string) string {
	if !strings.HasPrefix(err.Error(), "workspace: "+method+" "+testPrefix+"/") {
		return ""
	}
	var apiErr *APIError
	var decErr *DecodeError
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return ""
	case errors.As(err, &apiErr):
		return fmt.Sprintf("APIError %d", apiErr.StatusCode)
	case errors.As(err, &decErr):
		return "DecodeError"
	case errors.As(err, &opErr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		// The guard refused the transport's own re-send of a read whose
		// connection broke after it was sent (no attempt left), or of a write.
		errors.Is(err, errNoAttemptsLeft), errors.Is(err, pipeline.ErrWriteNotRepeated):
		return "transport"
	}
	return ""
}

func TestSoakFaults(t *testing.T) {
	checkNoLeak(t) // not parallel: it counts goroutines
	srv := newSoakServer(t)
	counter := &attemptCounter{retries: map[int64]int{}}
	policy := RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 3 * time.Millisecond}
	c, mux := setup(t, WithRetryPolicy(policy), WithLogger(slog.New(counter)))
	mux.handleAny(srv.ServeHTTP)
	t.Cleanup(func() { closeIdle(c) })

	type result struct {
		op      int
		volID   string
		err     error
		latency time.Duration
	}
	calls := make(chan int)
	results := make(chan result, soakCalls)
	ctx := context.Background()
	var wg sync.WaitGroup
	start := time.Now()
	for range soakWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				res := result{op: i % 6}
				t0 := time.Now()
				switch res.op {
				case 0:
					_, res.err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
				case 1:
					res.volID = fmt.Sprintf("vol-%04d", i)
					req := &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: res.volID, Type: "SSD", Size: 20}}}
					var out *BatchDeleteVolumesResult
					if out, res.err = c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", req); res.err == nil && out.JobID != "job-1" {
						res.err = fmt.Errorf("wrong job id %q", out.JobID)
					}
				case 2:
					_, res.err = c.DesktopPools.ListScriptExecutionTasks(ctx, &ListScriptExecutionTasksOptions{Limit: 10})
				case 3:
					_, res.err = c.Desktops.CheckImages(ctx, []string{"d-1"})
				case 4:
					_, res.err = c.Snapshots.List(ctx, &ListSnapshotsOptions{Limit: 10})
				case 5:
					_, res.err = c.Jobs.Get(ctx, "job-1")
				}
				res.latency = time.Since(t0)
				results <- res
			}
		}()
	}
	for i := range soakCalls {
		calls <- i
	}
	close(calls)
	wg.Wait()
	close(results)
	elapsed := time.Since(start)

	opMethod := []string{"GET", "POST", "GET", "POST", "GET", "GET"}
	var reads, readOK, deletes, deleteOK int
	var latencies []time.Duration
	failures := map[string]int{}
	deleteOutcome := map[string]error{}
	for res := range results {
		latencies = append(latencies, res.latency)
		if res.op == 1 {
			deletes++
			deleteOutcome[res.volID] = res.err
		} else {
			reads++
		}
		if res.err == nil {
			if res.op == 1 {
				deleteOK++
			} else {
				readOK++
			}
			continue
		}
		kind := errorKind(res.err, opMethod[res.op])
		if kind == "" {
			t.Errorf("op %d: unclear error: %v (%T)", res.op, res.err, res.err)
		}
		failures[fmt.Sprintf("op%d %s", res.op, kind)]++
	}
	require.Equal(t, soakCalls, reads+deletes)

	// No batch-delete was carried out twice, and each one that succeeded
	// was carried out exactly once.
	srv.mu.Lock()
	executed, arrived := srv.executed, srv.arrived
	faults := srv.faults
	srv.mu.Unlock()
	var deleteTries, maxArrived int
	for id, err := range deleteOutcome {
		n := executed[id]
		assert.LessOrEqual(t, n, 1, "batch-delete %s carried out %d times", id, n)
		if err == nil {
			assert.Equal(t, 1, n, "batch-delete %s succeeded", id)
		}
		deleteTries += arrived[id]
		maxArrived = max(maxArrived, arrived[id])
	}
	assert.LessOrEqual(t, deleteOK, len(executed))

	counter.mu.Lock()
	attempts, retries, giveUps, badRetry := counter.attempts, counter.retries, counter.giveUps, counter.badRetry
	counter.mu.Unlock()
	assert.Empty(t, badRetry, "batch-delete retried after something other than a 429")

	// Retries work: nearly every read gets through.
	assert.GreaterOrEqual(t, float64(readOK)/float64(reads), 0.97)
	assert.Greater(t, attempts, soakCalls)
	for _, status := range []int64{0, 429, 502, 503} {
		assert.Positive(t, retries[status], "retries after status %d", status)
	}
	assert.Less(t, elapsed, 30*time.Second)

	slices.Sort(latencies)
	statuses := make([]int64, 0, len(retries))
	for s := range retries {
		statuses = append(statuses, s)
	}
	sort.Slice(statuses, func(i, j int) bool { return statuses[i] < statuses[j] })
	var retryText []string
	totalRetries := 0
	for _, s := range statuses {
		name := fmt.Sprint(s)
		if s == 0 {
			name = "transport"
		}
		retryText = append(retryText, fmt.Sprintf("%s=%d", name, retries[s]))
		totalRetries += retries[s]
	}
	t.Logf("soak: %d calls (%d reads, %d batch-deletes) by %d goroutines in %v", soakCalls, reads, deletes, soakWorkers, elapsed.Round(time.Millisecond))
	t.Logf("soak: %d attempts, %d retries by status: %s; %d give-ups", attempts, totalRetries, strings.Join(retryText, " "), giveUps)
	t.Logf("soak: injected %v", faultText(faults))
	t.Logf("soak: reads ok %d/%d, batch-deletes ok %d/%d; failures %v", readOK, reads, deleteOK, deletes, failures)
	t.Logf("soak: batch-delete requests arrived %d (most for one call: %d, the extra ones throttled before the handler), carried out %d, none twice",
		deleteTries, maxArrived, len(executed))
	t.Logf("soak: latency p50 %v, p99 %v, max %v", latencies[len(latencies)/2].Round(time.Microsecond),
		latencies[len(latencies)*99/100].Round(time.Microsecond), latencies[len(latencies)-1].Round(time.Microsecond))
}

// The fault soak over HTTP/2 (TLS): 16 goroutines make 1,000 mixed calls
// through a frame-level server that, after carrying a request out, resets
// 3% of streams with PROTOCOL_ERROR and 1% with REFUSED_STREAM (the codes
// on which Go's HTTP/2 client sends a request again by itself), sends
// GOAWAY on 1% (closing the connection), and answers 10% with 503, 5% of
// reads with 429 before the handler, and 1% with an HTML page. Every
// batch-delete must arrive at most once.
func TestSoakFaultsHTTP2(t *testing.T) {
	checkNoLeak(t)
	const workers, calls = 16, 1000
	soak := newSoakServer(t) // for its answers
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(2026, 12))
	faults := map[string]int{}
	arrived, executed := map[string]int{}, map[string]int{}
	ts := testserver.NewH2(t, func(r *testserver.H2Request) testserver.H2Reply {
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
			vol := deleteVolume(t, r.Body)
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
			return testserver.H2Reply{Status: 404}
		}
		jsonHeader := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"soak-h2"}}
		switch fault {
		case "429":
			return testserver.H2Reply{Status: 429, Header: http.Header{"Retry-After": {"1"}}, Body: `{"error_code":"APIGW.0308","error_msg":"throttled"}`}
		case "503":
			return testserver.H2Reply{Status: 503, Header: jsonHeader, Body: `{"error_code":"WKS.503","error_msg":"injected"}`}
		case "rst-protocol":
			return testserver.H2Reply{Verdict: testserver.H2Reset, Code: http2.ErrCodeProtocol}
		case "rst-refused":
			return testserver.H2Reply{Verdict: testserver.H2Reset, Code: http2.ErrCodeRefusedStream}
		case "goaway":
			return testserver.H2Reply{Verdict: testserver.H2GoAway}
		case "html":
			return testserver.H2Reply{Header: http.Header{"Content-Type": {"text/html"}}, Body: "<html><body>upstream hiccup</body></html>"}
		}
		return testserver.H2Reply{Header: jsonHeader, Body: answer}
	})
	counter := &attemptCounter{retries: map[int64]int{}}
	policy := RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 3 * time.Millisecond}
	c := clientFor(t, ts.URL, WithRetryPolicy(policy), WithLogger(slog.New(counter)))
	trustInDefaultTransport(t, c, ts) // the SDK's own transport, HTTP/2 on

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
	faultText := faultText(faults)
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

// faultText lists injected faults by kind, in order.
func faultText(f map[string]int) string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		name := k
		if k == "" {
			name = "none"
		}
		parts = append(parts, fmt.Sprintf("%s=%d", name, f[k]))
	}
	return strings.Join(parts, " ")
}
