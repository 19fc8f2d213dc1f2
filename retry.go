package workspace

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hwcloud-go/workspace/internal/ratelimit"
)

// The retryer: one per client, for every call and attempt. It classifies
// a failed attempt (retry.go's shouldRetry), waits (back-off or
// Retry-After), pays for retries from the client's retry budget, and is
// asked by the pipeline's guard before the transport sends a read again
// by itself (resend). The call loop is client.go's do.

// Retry defaults, used where a RetryPolicy field is zero. The field docs
// of RetryPolicy give the values.
const (
	defaultMaxAttempts = 3
	defaultBaseDelay   = 200 * time.Millisecond
	defaultMaxDelay    = 10 * time.Second
)

// RetryPolicy says how often and how patiently a call is retried.
//
// Reads (every GET, and check-images, which changes nothing) are retried on
// transport errors and on 429, 500, 502, 503 and 504. Batch-delete changes
// state: it is retried only where the request surely did not take effect
// (429, or a connection that was never made). Waits grow exponentially from
// BaseDelay with full jitter, capped by MaxDelay; a Retry-After header
// (seconds or HTTP date) is honoured up to MaxDelay.
type RetryPolicy struct {
	MaxAttempts int           // tries in all, the first included; 1 disables retries; 0: 3
	BaseDelay   time.Duration // first back-off; 0: 200 ms
	MaxDelay    time.Duration // cap on one wait, Retry-After included; 0: 10 s
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = defaultMaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = defaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = defaultMaxDelay
	}
	if p.BaseDelay > p.MaxDelay {
		p.BaseDelay = p.MaxDelay
	}
	return p
}

// backoff is the full-jitter wait before retry number n (1 for the first
// retry): uniform in [0, min(MaxDelay, BaseDelay*2^(n-1))]. It never
// overflows, whatever the policy's values.
func (p RetryPolicy) backoff(n int) time.Duration {
	ceil := p.MaxDelay
	if shift := n - 1; shift >= 0 && shift < 63 && p.BaseDelay <= ceil>>shift {
		ceil = p.BaseDelay << shift
	}
	if ceil <= 0 {
		return 0
	}
	if ceil == math.MaxInt64 {
		return rand.N(ceil) // ceil+1 would overflow
	}
	return rand.N(ceil + 1)
}

// retryState is where one call stands with its policy.
type retryState struct {
	attempts    int  // made so far, the transport's own re-sends included
	resends     int  // the transport's re-sends within the current attempt
	refreshed   bool // the free try after a 401 is spent
	budgetTaken int  // tokens the call's retries took from the retry budget
}

// paid is the number of attempts taken from the policy's budget: all but
// the free try after a 401.
func (st *retryState) paid() int {
	if st.refreshed {
		return st.attempts - 1
	}
	return st.attempts
}

// decision is what the policy says after a failed attempt.
type decision struct {
	retry       bool          // try again, after delay
	delay       time.Duration // back-off or Retry-After, capped by MaxDelay
	retryable   bool          // the failure was of a kind worth retrying, budget or not
	free        bool          // the fresh-token try after a 401: costs nothing
	budgetSpent bool          // a retry the client's retry budget could not pay for
}

// decide says whether and when to try again after the failed attempt res,
// counted in st. write says the call changes state. A first 401 whose
// token auth can replace is retried at once and for free (it takes nothing
// from the budget); otherwise a retryable failure is retried while the
// budget lasts, after the full-jitter back-off, or after Retry-After when
// the answer has one, capped by MaxDelay.
func (p RetryPolicy) decide(st *retryState, res *attemptRecord, write bool, auth authenticator, now func() time.Time) decision {
	if res.status == http.StatusUnauthorized && !st.refreshed && auth.invalidate(res.token) {
		st.refreshed = true
		return decision{retry: true, free: true}
	}
	d := decision{retryable: shouldRetry(res, write)}
	d.retry = d.retryable && st.paid() < p.MaxAttempts
	if !d.retry || res.status == http.StatusUnauthorized {
		return d
	}
	d.delay = p.backoff(st.paid())
	if ra, ok := retryAfter(res.header, now()); ok {
		d.delay = min(ra, p.MaxDelay)
	}
	return d
}

// retryableStatus reports whether a read may be retried after status.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// shouldRetryStatus decides on a status answer; write says the call changes
// state.
func shouldRetryStatus(status int, write bool) bool {
	if write {
		return status == http.StatusTooManyRequests
	}
	return retryableStatus(status)
}

// shouldRetry decides whether a failed attempt may be tried again, the
// retry budget aside; write says the call changes state. Credentials that
// could not be had and 2xx bodies that did not decode are final; a write
// is tried again only where it surely did not take effect: a 429, or a
// request that never reached the server.
func shouldRetry(res *attemptRecord, write bool) bool {
	switch {
	case res.notSent, res.decodeErr:
		return false
	case res.status != 0 && !res.bodyCut:
		return shouldRetryStatus(res.status, write)
	}
	return !write || !res.sent
}

// retryAfter parses a Retry-After header (delay in seconds or an HTTP
// date). ok is false when there is none or it cannot be read.
func retryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(365*24*time.Hour/time.Second) {
			secs = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// sleep waits for d or until ctx is done, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The retry budget, in the manner of the AWS SDKs' standard retryer: a
// token bucket shared by every call of a client. A retry takes retryCost
// tokens (retryTimeoutCost after a failure without an answer, and for each
// time the transport sends a read again by itself); a retry that finds too
// few is not made, and the call ends with the error it has. First attempts
// never wait for the budget. A call that succeeds at once puts back
// successRefill; one that succeeds after retries gives back what its
// retries took. A full bucket pays for retryBudgetCapacity / retryCost
// retries in a row: under a total outage, calls soon cost one attempt each
// instead of MaxAttempts, and retries come back as calls succeed again.
const (
	retryBudgetCapacity = 500
	retryCost           = 5
	retryTimeoutCost    = 10
	successRefill       = 1
)

// retryer is a client's retry policy, retry budget and rate limiter.
type retryer struct {
	policy  RetryPolicy
	limiter *ratelimit.Limiter // nil: no rate limit
	now     func() time.Time

	mu     sync.Mutex
	tokens int // the retry budget
}

func newRetryer(p RetryPolicy, limiter *ratelimit.Limiter) *retryer {
	return &retryer{policy: p.withDefaults(), limiter: limiter, now: time.Now, tokens: retryBudgetCapacity}
}

// decide says whether and when call st tries again after the failed
// attempt res, and takes the retry's cost from the budget.
func (r *retryer) decide(st *retryState, res *attemptRecord, write bool, auth authenticator) decision {
	d := r.policy.decide(st, res, write, auth, r.now)
	if d.retry && !d.free {
		cost := retryCost
		if res.status == 0 || res.bodyCut {
			cost = retryTimeoutCost
		}
		if !r.take(cost) {
			d.retry, d.budgetSpent = false, true
		} else {
			st.budgetTaken += cost
		}
	}
	return d
}

// errNoAttemptsLeft refuses a read the transport was about to send again
// by itself when the policy or the budget has no attempt left for it.
var errNoAttemptsLeft = errors.New("the connection failed after the request was sent, with no attempt (or retry budget) left to send it again")

// resend is asked by the pipeline's guard before the transport sends a
// read of call st again by itself: it counts as an attempt, takes from the
// budget and waits for the rate limiter.
func (r *retryer) resend(ctx context.Context, st *retryState) error {
	if st.paid()+st.resends+1 >= r.policy.MaxAttempts || !r.take(retryTimeoutCost) {
		return errNoAttemptsLeft
	}
	st.resends++
	st.budgetTaken += retryTimeoutCost
	if r.limiter != nil {
		return r.limiter.Wait(ctx)
	}
	return nil
}

// take takes cost tokens from the budget; false: too few left.
func (r *retryer) take(cost int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tokens < cost {
		return false
	}
	r.tokens -= cost
	return true
}

// succeeded refills the budget after call st succeeded.
func (r *retryer) succeeded(st *retryState) {
	back := successRefill
	if st.budgetTaken > 0 {
		back = st.budgetTaken
	}
	r.mu.Lock()
	r.tokens = min(r.tokens+back, retryBudgetCapacity)
	r.mu.Unlock()
}
