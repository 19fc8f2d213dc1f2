package workspace

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry defaults, used where a RetryPolicy field is zero.
const (
	DefaultMaxAttempts = 3
	DefaultBaseDelay   = 200 * time.Millisecond
	DefaultMaxDelay    = 10 * time.Second
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
	MaxAttempts int           // tries in all, the first included; 1 disables retries; 0: default 3
	BaseDelay   time.Duration // first back-off; 0: default
	MaxDelay    time.Duration // cap on one wait, Retry-After included; 0: default
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
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
	attempts    int  // made so far
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
func (p RetryPolicy) decide(st *retryState, res *attemptResult, write bool, auth authenticator, now func() time.Time) decision {
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
// could not be had and 2xx bodies that did not decode are final.
func shouldRetry(res *attemptResult, write bool) bool {
	switch {
	case res.notSent, res.decodeErr:
		return false
	case res.status != 0:
		return shouldRetryStatus(res.status, write)
	default:
		return shouldRetryTransport(res.err, write, res.wire)
	}
}

// shouldRetryTransport decides on a transport error. A write is tried
// again only where it cannot have reached the server: as the transport
// reported it (a connection asked for, no request header written), or,
// from a transport that reports nothing, where the error says that no
// connection was made.
func shouldRetryTransport(err error, write bool, wire wireState) bool {
	switch {
	case !write:
		return true
	case wire == wireUnknown:
		return neverConnected(err)
	}
	return wire == wireUnsent
}

// neverConnected reports whether err shows that no connection was made:
// dial refused, a DNS failure, or a certificate the handshake refused. A
// TLS record or alert error can come after the handshake, with the request
// written, and does not count.
func neverConnected(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var (
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		hostErr x509.HostnameError
	)
	return errors.As(err, &certErr) || errors.As(err, &unknown) || errors.As(err, &hostErr)
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
