package workspace

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// chunks splits n items into consecutive chunks of at most size items:
// each chunk is a [from, to) pair of indexes.
func chunks(n, size int) [][2]int {
	if n <= 0 || size <= 0 {
		return nil
	}
	out := make([][2]int, 0, (n+size-1)/size)
	for from := 0; from < n; from += size {
		out = append(out, [2]int{from, min(from+size, n)})
	}
	return out
}

// inParallel runs do(ctx, i) for i in [0, n), at most workers requests in
// flight at once, and returns once none is running: each do makes one
// call with ctx, whose place is freed once its answer is in hand
// (answered), before it is decoded. The first error cancels the context of
// the others and is the one returned (the cancelled ones' errors are not);
// a done ctx stops it from starting more, and is the error then. Once
// every do has run without error, it returns nil.
func inParallel(ctx context.Context, n, workers int, do func(ctx context.Context, i int) error) error {
	if n == 1 || workers <= 1 {
		for i := range n {
			if err := do(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	sem := make(chan struct{}, workers)
	started := 0
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		started++
		wg.Add(1)
		go func() {
			defer wg.Done()
			release := sync.OnceFunc(func() { <-sem })
			defer release()
			if err := do(withAnswered(ctx, release), i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first == nil && started < n {
		first = ctx.Err() // the caller's context ended before every chunk was started
	}
	return first
}

// codePoolBusy is the API's error_code, with 409, for a pool busy with
// another operation: the request did not take effect and may be sent
// again later (the vendor's Terraform provider waits and sends it again).
const codePoolBusy = "WKS.00010032"

// poolBusy reports whether err is the API's "pool busy" refusal.
func poolBusy(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusConflict && ae.Code == codePoolBusy
}

// BulkError is the error of a bulk write (the ...AndWait methods) that
// did not finish: it reports every chunk, in order, done or not. The
// chunks that succeeded are not undone.
type BulkError struct {
	Chunks []ChunkResult // every chunk, in order: done, failed, or not sent
}

// ChunkResult is what became of one chunk of a bulk write.
type ChunkResult struct {
	Indexes []int // the chunk's items, as indexes into the request's slice
	Job     *Job  // the job it started; nil if none
	// Err is nil when the chunk is done; else why not: the API's refusal
	// (an *APIError), a *JobFailedError, an error matching
	// ErrUnknownOutcome (sent, and nothing says whether it took effect:
	// also a chunk whose job started and could not be waited for, the
	// poll's error or the done context reachable in it), a done context,
	// or ErrNotSent for a chunk after the failure.
	Err error
}

// Error counts the chunks done and not sent and names the first that
// failed.
func (e *BulkError) Error() string {
	var done, notSent int
	var failed *ChunkResult
	for i := range e.Chunks {
		c := &e.Chunks[i]
		switch {
		case c.Err == nil:
			done++
		case errors.Is(c.Err, ErrNotSent) && failed != nil:
			notSent++
		case failed == nil:
			failed = c
		}
	}
	s := fmt.Sprintf("workspace: bulk write: %d of %d chunks done", done, len(e.Chunks))
	if failed != nil {
		s += fmt.Sprintf("; items %s: %v", indexRange(failed.Indexes), failed.Err)
	}
	if notSent > 0 {
		s += fmt.Sprintf("; %d chunks after it not sent", notSent)
	}
	return s
}

// Unwrap returns the chunks' errors, so that errors.Is and errors.As
// reach each of them.
func (e *BulkError) Unwrap() []error {
	var errs []error
	for _, c := range e.Chunks {
		if c.Err != nil {
			errs = append(errs, c.Err)
		}
	}
	return errs
}

// indexRange prints a chunk's indexes as "first-last" (or one index).
func indexRange(ix []int) string {
	switch len(ix) {
	case 0:
		return "none"
	case 1:
		return strconv.Itoa(ix[0])
	}
	return strconv.Itoa(ix[0]) + "-" + strconv.Itoa(ix[len(ix)-1])
}

// errNoJobID is the error of a chunk whose 2xx answer named no job: it
// started one, perhaps, and its id is not known.
var errNoJobID = errors.New("workspace: the answer named no job")

// bulkWrite is a bulk write's plan: n items sent in chunks of at most size
// by send, which returns the id of the job a chunk started.
type bulkWrite struct {
	n, size int
	send    func(ctx context.Context, from, to int) (jobID string, err error)
}

// run sends the chunks one at a time, waiting for each chunk's job with
// opts before the next. A chunk refused because the pool is busy is sent
// again, as a new call, every wait interval until it is taken or ctx
// ends; any other failure stops the run, the chunks after it not sent.
// It returns every job started, and a *BulkError for any failure. The
// caller has validated every item; run validates opts.
func (b bulkWrite) run(ctx context.Context, jobs *JobsService, opts *WaitOptions) ([]*Job, error) {
	interval, err := jobs.interval(opts)
	if err != nil {
		return nil, err
	}
	parts := chunks(b.n, b.size)
	results := make([]ChunkResult, len(parts))
	for i, p := range parts {
		results[i].Indexes = make([]int, 0, p[1]-p[0])
		for j := p[0]; j < p[1]; j++ {
			results[i].Indexes = append(results[i].Indexes, j)
		}
	}
	var started []*Job
	for i, p := range parts {
		r := &results[i]
		r.Job, r.Err = b.chunk(ctx, jobs, p[0], p[1], interval, opts)
		if r.Job != nil {
			started = append(started, r.Job)
		}
		if r.Err != nil {
			for j := i + 1; j < len(results); j++ {
				results[j].Err = ErrNotSent
			}
			return started, &BulkError{Chunks: results}
		}
	}
	return started, nil
}

// chunk sends items [from, to) until the pool takes them, and waits for
// the job they start.
func (b bulkWrite) chunk(ctx context.Context, jobs *JobsService, from, to int, interval time.Duration, opts *WaitOptions) (*Job, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotSent, err)
		}
		jobID, err := b.send(ctx, from, to)
		if poolBusy(err) {
			if serr := sleep(ctx, interval); serr != nil {
				return nil, fmt.Errorf("workspace: the pool stayed busy (%w) until the context ended: %w", err, serr)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if jobID == "" {
			return nil, &unknownOutcomeError{err: errNoJobID}
		}
		job, err := jobs.Wait(ctx, jobID, opts)
		if job == nil {
			job = &Job{ID: jobID} // the job started; polling it failed
		}
		var failed *JobFailedError
		if err != nil && !errors.As(err, &failed) {
			// The job started and may have done its work: the chunk is
			// not to be taken for refused and sent again.
			err = &unknownOutcomeError{err: fmt.Errorf("workspace: waiting for job %s: %w", jobID, err)}
		}
		return job, err
	}
}

// interval is the time between polls of Wait with opts; a negative
// opts.Interval is a *ValidationError.
func (s *JobsService) interval(opts *WaitOptions) (time.Duration, error) {
	if s == nil || s.client == nil || s.client.core == nil {
		return 0, errZeroClient
	}
	if opts != nil && opts.Interval < 0 {
		return 0, invalid("opts.Interval", "must not be negative, got %v", opts.Interval)
	}
	if opts != nil && opts.Interval > 0 {
		return opts.Interval, nil
	}
	return s.client.core.wait, nil
}
