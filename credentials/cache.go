package credentials

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Refresh timings shared by the token sources and the credentials
// providers.
const (
	// credExpirySkew: a token or key is treated as expired this long before
	// its expiry, so that a request signed or sent with it still arrives
	// in time.
	credExpirySkew = time.Minute
	// credRetryAfterFailure: after a failed refresh while the old value is
	// still valid, the old value is handed out for this long before the
	// next try, so that a service that is down is not asked on every call.
	credRetryAfterFailure = 10 * time.Second
	// credRefreshGrace: how long a caller holding a valid token or key waits
	// for its refresh before going on with the old one.
	credRefreshGrace = time.Second
)

// refresher caches a value that expires, fetching a new one ahead of
// expiry. One fetch runs at a time; callers that arrive meanwhile wait for
// it (each as long as its own context allows, and no longer than grace
// when the cached value is still valid). A failed fetch while the
// cached value is still valid hands out the cached value, and the next
// fetch is tried credRetryAfterFailure later.
type refresher[T any] struct {
	fetch   func(ctx context.Context) (T, time.Time, error)
	now     func() time.Time
	margin  func(life time.Duration) time.Duration // how long before expiry to refresh
	timeout time.Duration                          // bound on one fetch
	grace   time.Duration                          // wait for a refresh while the cached value is valid

	mu        sync.Mutex
	val       T
	have      bool
	expires   time.Time
	refreshAt time.Time
	nextTry   time.Time // after a failed refresh: not before then
	call      *refreshCall[T]
}

// newRefresher returns a refresher on the wall clock with the shared
// grace: fetch is bounded by timeout, and a value is refreshed margin(life)
// before its expiry (but never before half its life has passed).
func newRefresher[T any](fetch func(ctx context.Context) (T, time.Time, error), timeout time.Duration, margin func(life time.Duration) time.Duration) *refresher[T] {
	return &refresher[T]{fetch: fetch, now: time.Now, margin: margin, timeout: timeout, grace: credRefreshGrace}
}

// refreshCall is one fetch in flight; done is closed when val or err is set.
type refreshCall[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// get returns the cached value or the result of a fetch. A caller whose
// cached value is still valid waits for a refresh for grace at the most,
// then goes on with the cached value: a slow service does not stall calls.
func (r *refresher[T]) get(ctx context.Context) (T, error) {
	r.mu.Lock()
	now := r.now()
	valid := r.validAt(now)
	if valid && (now.Before(r.refreshAt) || now.Before(r.nextTry)) {
		v := r.val
		r.mu.Unlock()
		return v, nil
	}
	old := r.val
	c := r.call
	if c == nil {
		c = &refreshCall[T]{done: make(chan struct{})}
		r.call = c
		go r.run(context.WithoutCancel(ctx), c)
	}
	r.mu.Unlock()

	var graceOver <-chan time.Time
	if valid {
		t := time.NewTimer(r.grace)
		defer t.Stop()
		graceOver = t.C
	}
	select {
	case <-c.done:
		return c.val, c.err
	case <-graceOver:
		return old, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// validAt reports whether the cached value may still be used at now; r.mu
// is held.
func (r *refresher[T]) validAt(now time.Time) bool {
	return r.have && now.Before(r.expires.Add(-credExpirySkew))
}

// run performs the fetch of c and publishes its result. A fetch still
// running at r.timeout (one deaf to its context) is abandoned there, so
// that the next caller can start another.
func (r *refresher[T]) run(ctx context.Context, c *refreshCall[T]) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	type result struct {
		v   T
		exp time.Time
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, exp, err := r.fetch(ctx)
		done <- result{v, exp, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		res.err = fmt.Errorf("workspace: credential refresh abandoned after %v: %w", r.timeout, ctx.Err())
	}
	v, exp, err := res.v, res.exp, res.err

	r.mu.Lock()
	defer r.mu.Unlock()
	defer close(c.done)
	r.call = nil
	now := r.now()
	if err == nil && !exp.After(now.Add(credExpirySkew)) {
		err = fmt.Errorf("workspace: fetched credentials expire at %s, which is past", exp.UTC().Format(time.RFC3339))
	}
	switch {
	case err == nil:
		life := exp.Sub(now)
		r.val, r.have, r.expires = v, true, exp
		r.refreshAt = exp.Add(-min(r.margin(life), life/2))
		r.nextTry = time.Time{}
		c.val = v
	case r.validAt(now):
		r.nextTry = now.Add(credRetryAfterFailure)
		c.val = r.val
	default:
		c.err = err
	}
}

// drop forgets the cached value if match says it is the one to forget.
func (r *refresher[T]) drop(match func(T) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.have && match(r.val) {
		var zero T
		r.val, r.have = zero, false
		r.nextTry = time.Time{}
	}
}
