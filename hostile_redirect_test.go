package workspace

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, item 14: under a user's own CheckRedirect, credentials never
// reach another host and a batch-delete is never sent to a redirect's
// target.
func TestHostileRedirectsUnderUserPolicy(t *testing.T) {
	t.Parallel()
	type seen struct {
		method string
		header http.Header
	}
	var mu sync.Mutex
	var atB []seen
	b := relServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		atB = append(atB, seen{r.Method, r.Header.Clone()})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"product_id":1}`))
	})
	follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	auths := map[string][]Option{
		"token": {WithToken(relToken)},
		"aksk":  {WithAccessKey(relAK, relSK), WithSecurityToken(relSecToken)},
	}
	for _, status := range []int{301, 302, 303, 307, 308} {
		for name, auth := range auths {
			var arrivalsA int
			a := relServer(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				arrivalsA++
				mu.Unlock()
				http.Redirect(w, r, b.URL+r.URL.Path, status)
			})
			opts := append([]Option{WithEndpoint(a.URL), WithProjectID(relProject), WithHTTPClient(follow), WithRetryPolicy(relFast)}, auth...)
			c, err := NewClient(opts...)
			require.NoError(t, err)

			mu.Lock()
			atB = nil
			mu.Unlock()
			req := &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "v", Type: "SSD", Size: 20}}}
			_, err = c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", req)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr, "%d %s", status, name)
			assert.Equal(t, status, apiErr.StatusCode)
			mu.Lock()
			assert.Empty(t, atB, "%d %s: batch-delete followed the redirect", status, name)
			assert.Equal(t, 1, arrivalsA)
			atB = nil
			mu.Unlock()

			_, _ = c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
			_, _ = c.Desktops.CheckImages(context.Background(), []string{"d-1"})
			mu.Lock()
			assert.NotEmpty(t, atB, "%d %s: reads follow the user's policy", status, name)
			for _, s := range atB {
				for _, h := range []string{"X-Auth-Token", "X-Security-Token", "Authorization"} {
					assert.Empty(t, s.header.Get(h), "%d %s: %s %s reached another host", status, name, s.method, h)
				}
			}
			mu.Unlock()
		}
	}
}
