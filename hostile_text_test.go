package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, item 10: server text in errors and logs is clipped to 256
// bytes with control characters escaped, so a server cannot forge log
// lines; a token the server echoes back is redacted.
func TestHostileServerTextInert(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 5000)
	forged := "ok\n2026-01-01 INFO forged line\r\x1b[31mred"
	srv := relServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-"+long)
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Path, "workspace-jobs") {
			job, _ := json.Marshal(map[string]any{"id": "j", "status": "FAILED", "job_error_code": forged + long, "fail_reason": forged + long})
			_, _ = w.Write(job)
			return
		}
		w.WriteHeader(400)
		body, _ := json.Marshal(map[string]string{
			"error_code": forged + long, "error_msg": "bad token " + r.Header.Get("X-Auth-Token") + " " + forged + long,
			"error_detail": forged,
		})
		_, _ = w.Write(body)
	})
	var logs bytes.Buffer
	c := relClient(t, srv.URL, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	_, jerr := c.Jobs.Wait(context.Background(), "j", nil)
	require.Error(t, jerr)
	for _, s := range []string{apiErr.Code, apiErr.Message, apiErr.Detail, apiErr.RequestID} {
		assert.LessOrEqual(t, len(s), 2*maxErrorText, "clipped (escapes may lengthen it)")
	}
	for what, s := range map[string]string{"APIError": err.Error(), "JobFailedError": jerr.Error(), "logs": logs.String()} {
		assert.NotContains(t, s, "\n2026", what)
		assert.NotContains(t, s, "\r", what)
		assert.NotContains(t, s, "\x1b", what)
		assert.NotContains(t, s, relToken, what)
		assert.Less(t, len(s), 8*maxErrorText+len(logs.String())*0+4000, what)
	}
	assert.Contains(t, apiErr.Message, "REDACTED")
}
