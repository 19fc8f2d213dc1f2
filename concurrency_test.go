package workspace

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// TestConcurrency_SharedClient runs 64 goroutines over one signing client,
// each doing a mix of every operation with its own arguments, and checks
// that every answer is the one its request asked for. The server verifies
// every signature. Run with -race.
func TestConcurrency_SharedClient(t *testing.T) {
	t.Parallel()
	const goroutines = 64
	const rounds = 2 // each goroutine calls every operation once per round, in a rotated order

	c, mux := setup(t, WithAccessKey(testAK, testSK), WithSecurityToken(testSecurityToken), WithUserAgent("race/1"))
	verify := func(r *http.Request) {
		rec := recordRequest(r, readBody(r))
		verifySignature(t, rec, testAK, testSK)
		testSdkDate(t, rec)
	}
	mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
		verify(r)
		rest := strings.TrimPrefix(r.URL.EscapedPath(), testPrefix)
		parts := strings.Split(rest, "/")
		switch {
		case strings.HasSuffix(rest, "/inconsistent-statics"):
			n, _ := strconv.Atoi(strings.TrimPrefix(parts[2], "pool-"))
			writeJSON(w, 200, fmt.Sprintf(`{"product_id":%d,"image_id":%d,"disk_num":%d,"disk_size":%d}`, n, n+1, n+2, n+3))
		case strings.HasSuffix(rest, "/volumes/batch-delete"):
			var body wire.BatchDeleteRequest
			_ = json.Unmarshal(readBody(r), &body)
			writeJSON(w, 200, fmt.Sprintf(`{"job_id":"job-of-%s-%d"}`, parts[2], body.Volumes[0].Size))
		case rest == "/desktop-pools/script-execution-tasks/detail":
			q := r.URL.Query()
			writeJSON(w, 200, fmt.Sprintf(`{"total_count":%s,"script_execution_tasks":[{"id":%q}]}`, q.Get("limit"), q.Get("desktop_pool_id")))
		case rest == "/desktops/check-images":
			var body wire.CheckImagesRequest
			_ = json.Unmarshal(readBody(r), &body)
			infos := make([]wire.ImageInfo, len(body.DesktopIDs))
			for i, id := range body.DesktopIDs {
				infos[i] = wire.ImageInfo{DesktopID: id, ImageID: "img-" + id}
			}
			b, _ := json.Marshal(wire.Images{ImageInfos: infos})
			writeJSON(w, 200, string(b))
		case rest == "/snapshots":
			q := r.URL.Query()
			writeJSON(w, 200, fmt.Sprintf(`{"total_count":%d,"desktop_snapshots":[{"snapshot_id":%q}]}`, len(q["desktop_ids"]), q.Get("desktop_id")))
		case strings.HasPrefix(rest, "/workspace-jobs/"):
			writeJSON(w, 200, fmt.Sprintf(`{"id":%q,"status":"RUNNING"}`, parts[2]))
		default:
			t.Errorf("unexpected path %s", rest)
			writeJSON(w, 404, `{}`)
		}
	})

	calls := []func(g, round int) error{
		func(g, round int) error {
			n := g*100 + round
			got, err := c.DesktopPools.GetInconsistentStatistics(testContext(t), fmt.Sprintf("pool-%d", n))
			if err != nil {
				return err
			}
			if *got != (InconsistentStatistics{n, n + 1, n + 2, n + 3}) {
				return fmt.Errorf("stats for pool-%d: %+v", n, *got)
			}
			return nil
		},
		func(g, round int) error {
			size := 10 + g*10 + round
			got, err := c.DesktopPools.BatchDeleteVolumes(testContext(t), fmt.Sprintf("p%d", g),
				&BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{Type: "SAS", Size: size}}})
			if err != nil {
				return err
			}
			if want := fmt.Sprintf("job-of-p%d-%d", g, size); got.JobID != want {
				return fmt.Errorf("job id %q, want %q", got.JobID, want)
			}
			return nil
		},
		func(g, round int) error {
			limit := 1 + (g+round)%100
			pool := fmt.Sprintf("pool %d/%d", g, round)
			got, err := c.DesktopPools.ListScriptExecutionTasks(testContext(t), &ListScriptExecutionTasksOptions{DesktopPoolID: pool, Limit: limit})
			if err != nil {
				return err
			}
			if got.TotalCount != limit || len(got.Items) != 1 || got.Items[0].ID != pool {
				return fmt.Errorf("tasks: %+v, want limit %d and pool %q", got, limit, pool)
			}
			return nil
		},
		func(g, round int) error {
			ids := make([]string, 1+g%5)
			for i := range ids {
				ids[i] = fmt.Sprintf("d-%d-%d-%d", g, round, i)
			}
			got, err := c.Desktops.CheckImages(testContext(t), ids)
			if err != nil {
				return err
			}
			if len(got) != len(ids) {
				return fmt.Errorf("check-images: %d infos for %d ids", len(got), len(ids))
			}
			for i, info := range got {
				if info.DesktopID != ids[i] || info.ImageID != "img-"+ids[i] {
					return fmt.Errorf("check-images: %+v for %s", info, ids[i])
				}
			}
			return nil
		},
		func(g, round int) error {
			id := fmt.Sprintf("desk-%d-%d", g, round)
			extra := make([]string, g%4)
			for i := range extra {
				extra[i] = fmt.Sprintf("x%d", i)
			}
			got, err := c.Snapshots.List(testContext(t), &ListSnapshotsOptions{DesktopID: id, DesktopIDs: extra})
			if err != nil {
				return err
			}
			if got.TotalCount != len(extra) || len(got.Items) != 1 || got.Items[0].ID != id {
				return fmt.Errorf("snapshots: %+v, want %s and %d", got, id, len(extra))
			}
			return nil
		},
		func(g, round int) error {
			id := fmt.Sprintf("job-%d-%d", g, round)
			got, err := c.Jobs.Get(testContext(t), id)
			if err != nil {
				return err
			}
			if got.ID != id {
				return fmt.Errorf("job %q, want %q", got.ID, id)
			}
			return nil
		},
	}

	var wg sync.WaitGroup
	errs := make(chan error, goroutines*rounds*len(calls))
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range rounds {
				for i := range calls {
					if err := calls[(i+g+round)%len(calls)](g, round); err != nil {
						errs <- fmt.Errorf("goroutine %d round %d: %w", g, round, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, goroutines*rounds*len(calls), mux.requests())
}
