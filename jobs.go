package workspace

import (
	"context"
	"iter"
	"net/url"
	"strings"
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
	ListSubJobs(ctx context.Context, opts *ListSubJobsOptions) (*Page[SubJob], error)
	AllSubJobs(ctx context.Context, opts *ListSubJobsOptions) iter.Seq2[SubJob, error]
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
// done or failed, or ctx ends. Once it is done, where the answer carries
// fewer sub-jobs than its SubJobsTotal, Wait lists every sub-job of the
// job with ListSubJobs (by JobID, each sub-job once) and judges the job on
// all of them; the returned Job carries them all. A failed job, or a done
// job with a sub-job that did not succeed, is returned with a
// *JobFailedError. Unknown
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
		if job.Done() && len(job.SubJobs) < job.SubJobsTotal {
			if err := s.completeSubJobs(ctx, job); err != nil {
				return job, err
			}
		}
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

// MaxSubJobsLimit is the largest page of sub-jobs the API hands out.
const MaxSubJobsLimit = 1000

// completeSubJobs replaces job's sub-jobs with every sub-job the API lists
// for it, each once (by id), in the API's order; a sub-job of the answer
// that the list leaves out is kept after them.
func (s *JobsService) completeSubJobs(ctx context.Context, job *Job) error {
	// The server's count sizes no more than a page: a count no memory
	// holds would otherwise fail the allocation.
	hint := min(job.SubJobsTotal, MaxSubJobsLimit)
	seen := make(map[string]bool, hint)
	all := make([]SubJob, 0, hint)
	for sj, err := range s.AllSubJobs(ctx, &ListSubJobsOptions{JobID: job.ID}) {
		if err != nil {
			return err
		}
		if sj.ID != "" && seen[sj.ID] {
			continue
		}
		seen[sj.ID] = true
		all = append(all, sj)
	}
	for _, sj := range job.SubJobs {
		if !seen[sj.ID] {
			all = append(all, sj)
		}
	}
	job.SubJobs = all
	return nil
}

// ListSubJobs lists one page of sub-jobs: those of a job (opts.JobID) or
// of a kind of job (opts.JobType); a job's own answer may not carry them
// all.
//
// GET /v2/{project_id}/workspace-sub-jobs
func (s *JobsService) ListSubJobs(ctx context.Context, opts *ListSubJobsOptions) (*Page[SubJob], error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	var w wire.SubJobPage
	r := &request{op: opListSubJobs, method: "GET", path: "/workspace-sub-jobs", query: q}
	if err := (*service)(s).do(ctx, r, &w); err != nil {
		return nil, err
	}
	p := &Page[SubJob]{TotalCount: w.TotalCount, Items: make([]SubJob, len(w.SubJobs))}
	for i := range w.SubJobs {
		p.Items[i] = subJobFromWire(&w.SubJobs[i])
	}
	return p, nil
}

// AllSubJobs ranges over every sub-job matching opts, fetching pages of
// 1000 (or opts.Limit) from opts.Offset on. An error is yielded once and
// ends the sequence. opts is copied, never modified, and the sequence
// starts over each time it is ranged.
func (s *JobsService) AllSubJobs(ctx context.Context, opts *ListSubJobsOptions) iter.Seq2[SubJob, error] {
	var o ListSubJobsOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit == 0 {
		o.Limit = MaxSubJobsLimit
	}
	return paginate(ctx, (*service)(s).clientOrNil(), o.Offset, o.Limit, func(ctx context.Context, offset int) (*Page[SubJob], error) {
		page := o
		page.Offset = offset
		return s.ListSubJobs(ctx, &page)
	}, idOfSubJob)
}

func (o *ListSubJobsOptions) query() (url.Values, error) {
	if o == nil || (strings.TrimSpace(o.JobID) == "" && strings.TrimSpace(o.JobType) == "") {
		return nil, invalid("opts.JobID", "give a JobID or a JobType")
	}
	if err := checkPage(o.Offset, o.Limit, MaxSubJobsLimit); err != nil {
		return nil, err
	}
	q := make(url.Values, 6)
	setString(q, "job_id", o.JobID)
	setString(q, "job_type", o.JobType)
	setString(q, "desktop_pool_id", o.DesktopPoolID)
	setString(q, "status", string(o.Status))
	setInt(q, "offset", o.Offset)
	setInt(q, "limit", o.Limit)
	return q, nil
}
