package wire

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRefsNeedTheirID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		body string
		job  string // "": refused
		task string // "": refused
	}{
		{`{"job_id": "j1", "task_id": "t1"}`, "j1", "t1"},
		{`{"job_id": "j1"}`, "j1", ""},
		{`{"task_id": "t1"}`, "", "t1"},
		{`{}`, "", ""},
		{`{"job_id": "", "task_id": ""}`, "", ""},
		{`{"job_id": null, "task_id": null}`, "", ""},
		{`{"job_id": " \t", "task_id": "\n"}`, "", ""},
		{`{"job_id": 7, "task_id": 7}`, "", ""},
	} {
		var j JobRef
		err := json.Unmarshal([]byte(tt.body), &j)
		if tt.job == "" {
			assert.Error(t, err, "JobRef %s", tt.body)
			assert.Zero(t, j, "JobRef %s left untouched", tt.body)
		} else {
			require.NoError(t, err, "JobRef %s", tt.body)
			assert.Equal(t, tt.job, j.JobID)
		}
		var k TaskRef
		err = json.Unmarshal([]byte(tt.body), &k)
		if tt.task == "" {
			assert.Error(t, err, "TaskRef %s", tt.body)
			assert.Zero(t, k, "TaskRef %s left untouched", tt.body)
		} else {
			require.NoError(t, err, "TaskRef %s", tt.body)
			assert.Equal(t, tt.task, k.TaskID)
		}
	}
}
