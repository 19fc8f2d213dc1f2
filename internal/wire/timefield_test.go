package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// badTimePath names the field as encoding/json did before Go 1.27, on
// every Go release (on 1.26 Unmarshal never needs it, so it is tested
// directly).
func TestBadTimePath(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, want string }{
		{"snapshot in a list", `{"total_count":2,"desktop_snapshots":[{"create_time":"2024-04-20T08:36:16Z","snapshot_id":"a"},{"snapshot_id":"b","create_time":"20/04/2024"}]}`, "desktop_snapshots.create_time"},
		{"number", `{"script_execution_tasks":[{"scripts":[{"id":"s"}],"end_time":1713602176}]}`, "script_execution_tasks.end_time"},
		{"bool", `{"begin_time":true}`, "begin_time"},
		{"nested object first", `{"sub_jobs":[{"entities":{"desktop_id":"d"},"begin_time":"x"}]}`, "sub_jobs.begin_time"},
		{"empty and null taken", `{"begin_time":"","end_time":null}`, ""},
		{"other keys ignored", `{"name":"not a time","start":"x"}`, ""},
		{"not JSON", `{"begin_time":`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, badTimePath([]byte(tt.body)))
		})
	}
}
