package workspacetest

import (
	"net/http"
	"sync/atomic"
	"time"
)

// The latency of an answer (WithLatency, a fault's Latency) is a wait
// that ends on time even when many requests wait at once. A Go timer in
// a process that is otherwise idle fires up to a millisecond late once
// several are due close together (the runtime sleeps in whole
// milliseconds between them): eight requests waiting 20 ms at once were
// answered over 21 to 24 ms, a cost of the fake, not of the client under
// test, that one request at a time does not pay. So the wait is a timer
// until shortly before the end and, where the system offers it, a sleep
// of the thread for the rest (preciseSleep).

// preciseWindow is the end of a wait slept by the thread rather than by a
// timer: more than the runtime's millisecond, so that the timer never
// overshoots the deadline.
const preciseWindow = 2 * time.Millisecond

// maxPreciseSleepers bounds the threads asleep in preciseSleep at once;
// the requests beyond wait on a timer to the end.
const maxPreciseSleepers = 64

var preciseSleepers atomic.Int32

// sleepContext waits for d unless the request's context ends first.
func sleepContext(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	deadline := time.Now().Add(d)
	if !waitTimer(r, d-preciseWindow) {
		return false
	}
	if preciseSleepers.Add(1) <= maxPreciseSleepers {
		ok := preciseSleep(time.Until(deadline))
		preciseSleepers.Add(-1)
		if ok {
			return r.Context().Err() == nil
		}
	} else {
		preciseSleepers.Add(-1)
	}
	return waitTimer(r, time.Until(deadline))
}

// waitTimer waits for d on a timer unless the request's context ends
// first.
func waitTimer(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return r.Context().Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
