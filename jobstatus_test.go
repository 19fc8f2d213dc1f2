package workspace

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestJobStatus_DoneAndFailed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status       JobStatus
		done, failed bool
	}{
		{JobStatusWaiting, false, false},
		{JobStatusInit, false, false},
		{JobStatusRunning, false, false},
		{JobStatusSuccess, true, false},
		{JobStatusComplete, true, false},
		{JobStatusFailed, true, true},
		{JobStatusFail, true, true},
		// Synonyms judged like the constants, though the API is not seen to send them.
		{"COMPLETED", true, false},
		{"FINISH", true, false},
		{"FINISHED", true, false},
		{"ERROR", true, true},
		{" finished ", true, false},
		{"error", true, true},
		{" success ", true, false},
		{"failed", true, true},
		{"Complete", true, false},
		{"", false, false},
		{"WEIRD", false, false},
		{"SUCCESSFUL", false, false}, // unknown: still running, never guessed
	}
	for _, tt := range tests {
		assert.Equal(t, tt.done, tt.status.Done(), "%q.Done()", tt.status)
		assert.Equal(t, tt.failed, tt.status.Failed(), "%q.Failed()", tt.status)
	}
}

func TestJob_DoneAndFailed(t *testing.T) {
	t.Parallel()
	sub := func(statuses ...JobStatus) []SubJob {
		out := make([]SubJob, len(statuses))
		for i, s := range statuses {
			out[i] = SubJob{ID: "s", Status: s}
		}
		return out
	}
	tests := []struct {
		name         string
		job          *Job
		done, failed bool
	}{
		{"nil", nil, false, false},
		{"success, no sub-jobs", &Job{Status: JobStatusSuccess}, true, false},
		{"success, every sub-job succeeded", &Job{Status: JobStatusSuccess, SubJobs: sub(JobStatusSuccess, "complete")}, true, false},
		{"success with a failed sub-job", &Job{Status: JobStatusSuccess, SubJobs: sub(JobStatusSuccess, JobStatusFailed)}, true, true},
		{"complete with a sub-job of unknown status", &Job{Status: JobStatusComplete, SubJobs: sub(JobStatusSuccess, "WEIRD")}, true, true},
		{"complete with a sub-job still running", &Job{Status: JobStatusComplete, SubJobs: sub(JobStatusRunning)}, true, true},
		{"running with a failed sub-job: not yet", &Job{Status: JobStatusRunning, SubJobs: sub(JobStatusFailed)}, false, false},
		{"failed, sub-jobs succeeded", &Job{Status: JobStatusFailed, SubJobs: sub(JobStatusSuccess)}, true, true},
		{"fail", &Job{Status: JobStatusFail}, true, true},
		{"unknown", &Job{Status: "PAUSED"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.done, tt.job.Done(), "Done")
			assert.Equal(t, tt.failed, tt.job.Failed(), "Failed")
		})
	}
}
