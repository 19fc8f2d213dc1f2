package workspace

import (
	"context"
	"time"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// JobsService reaches the asynchronous jobs that state-changing operations
// start.
type JobsService service

// JobsAPI is what JobsService does, for users' fakes and mocks.
type JobsAPI interface {
	Get(ctx context.Context, jobID string) (*Job, error)
	Wait(ctx context.Context, jobID string, opts *WaitOptions) (*Job, error)
}

var _ JobsAPI = (*JobsService)(nil)

// defaultWaitInterval is the time between polls of Wait when
// WaitOptions.Interval is zero and the client has no WithWaitInterval; the
// vendor's own tools poll every 10 to 15 seconds. WaitOptions.Interval's
// doc gives the value.
const defaultWaitInterval = 10 * time.Second

// Get returns a job.
//
// GET /v2/{project_id}/workspace-jobs/{job_id}
func (s *JobsService) Get(ctx context.Context, jobID string) (*Job, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if err := checkID("jobID", jobID); err != nil {
		return nil, err
	}
	var w wire.Job
	r := &request{op: opShowJob, method: "GET", path: "/workspace-jobs/", id: escapeSegment(jobID)}
	if err := (*service)(s).do(ctx, r, &w); err != nil {
		return nil, err
	}
	return jobFromWire(&w), nil
}

// Wait polls a job at once and then every opts.Interval (when zero, or
// with nil opts: the client's WithWaitInterval, else 10 s) until it is
// done or failed, or ctx ends. A failed job, or a done job with a sub-job
// that did not succeed, is returned with a *JobFailedError. Unknown
// statuses count as still running. Transient errors while polling are retried by
// the client's RetryPolicy; any other error (a 404 for the job, say) ends
// the wait. With an error, Wait returns the last job it saw, if any.
func (s *JobsService) Wait(ctx context.Context, jobID string, opts *WaitOptions) (*Job, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if err := checkID("jobID", jobID); err != nil {
		return nil, err
	}
	if s == nil || s.client == nil || s.client.core == nil {
		return nil, errZeroClient
	}
	interval := s.client.core.wait
	if opts != nil {
		if opts.Interval < 0 {
			return nil, invalid("opts.Interval", "must not be negative, got %v", opts.Interval)
		}
		if opts.Interval > 0 {
			interval = opts.Interval
		}
	}
	var last *Job
	for {
		job, err := s.Get(ctx, jobID)
		if err != nil {
			return last, err
		}
		last = job
		if job.Failed() {
			return job, &JobFailedError{Job: job}
		}
		if job.Done() {
			return job, nil
		}
		if err := sleep(ctx, interval); err != nil {
			return job, contextError("GET", s.client.core.prefix+"/workspace-jobs/"+escapeSegment(jobID), err)
		}
	}
}
