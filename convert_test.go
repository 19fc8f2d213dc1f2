package workspace

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Times in every form Huawei Cloud APIs are seen to send decode, through
// the fast page decoder and through encoding/json alike (an escape in
// the body sends the page to the latter); anything else fails the call
// with a *DecodeError naming the field and the value.
func TestTolerantTimes(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)
	forms := []struct {
		name, value string
		want        time.Time
	}{
		{"documented", "2024-04-20T08:36:16Z", at},
		{"fractions", "2024-04-20T08:36:16.250Z", at.Add(250 * time.Millisecond)},
		{"offset", "2024-04-20T16:36:16+08:00", at},
		{"fractions and offset", "2024-04-20T03:06:16.5-05:30", at.Add(500 * time.Millisecond)},
		{"no zone: UTC", "2024-04-20T08:36:16", at},
		{"space", "2024-04-20 08:36:16", at},
		{"space and offset", "2024-04-20 10:36:16+02:00", at},
		{"space, fractions, no zone", "2024-04-20 08:36:16.000001", at.Add(time.Microsecond)},
	}
	for _, f := range forms {
		for _, slow := range []bool{false, true} {
			name := f.name + "/fast path"
			desc := "plain"
			if slow {
				name, desc = f.name+"/encoding-json", `with \u00e9scape` // an escape: the fast path declines
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				c, mux := setup(t)
				mux.handle("/snapshots", respond(http.StatusOK, `{"total_count":1,"desktop_snapshots":[
					{"snapshot_id":"s1","description":"`+desc+`","create_time":"`+f.value+`","last_restore_time":"`+f.value+`"}]}`))
				page, err := c.Snapshots.List(testContext(t), nil)
				require.NoError(t, err)
				require.Len(t, page.Items, 1)
				assert.Equal(t, f.want, page.Items[0].CreateTime)
				assert.Equal(t, f.want, page.Items[0].LastRestoreTime)
				assert.Equal(t, time.UTC, page.Items[0].CreateTime.Location())
			})
		}
	}
}

func TestOddTimeIsADecodeErrorNamingFieldAndValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, body string
		call             func(c *Client) error
		want             []string
	}{
		{
			name: "snapshot", path: "/snapshots",
			body: `{"total_count":2,"desktop_snapshots":[{"snapshot_id":"s1","create_time":"2024-04-20T08:36:16Z"},{"snapshot_id":"s2","create_time":"20.04.2024 08:36"}]}`,
			call: func(c *Client) error { _, err := c.Snapshots.List(testContext(t), nil); return err },
			want: []string{"desktop_snapshots.create_time", `"20.04.2024 08:36"`},
		},
		{
			name: "task", path: "/desktop-pools/script-execution-tasks/detail",
			body: `{"total_count":1,"script_execution_tasks":[{"id":"t1","end_time":"string"}]}`,
			call: func(c *Client) error {
				_, err := c.DesktopPools.ListScriptExecutionTasks(testContext(t), nil)
				return err
			},
			want: []string{"script_execution_tasks.end_time", `"string"`},
		},
		{
			name: "sub-job", path: "/workspace-jobs/j",
			body: `{"id":"j","status":"RUNNING","sub_jobs":[{"id":"s","begin_time":1713602176}]}`,
			call: func(c *Client) error { _, err := c.Jobs.Get(testContext(t), "j"); return err },
			want: []string{"sub_jobs.begin_time", "number 1713602176"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle(tt.path, respond(http.StatusOK, tt.body))
			err := tt.call(c)
			de := errorAs[*DecodeError](t, err)
			assert.Equal(t, http.StatusOK, de.StatusCode)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
