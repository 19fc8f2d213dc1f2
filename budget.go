package workspace

import "sync"

// The retry budget, in the manner of the AWS SDKs' standard retryer: a
// token bucket shared by every call of a client. A retry takes
// retryCost tokens (retryTimeoutCost after a failure without an answer); a
// retry that finds too few is not made, and the call ends with the error
// it has. First attempts never wait for the budget. A call that succeeds
// at once puts back successRefill; one that succeeds after retries gives
// back what its retries took. A full bucket pays for retryBudgetCapacity /
// retryCost retries in a row: under a total outage, calls soon cost one
// attempt each instead of MaxAttempts, and retries come back as calls
// succeed again.
const (
	retryBudgetCapacity = 500
	retryCost           = 5
	retryTimeoutCost    = 10
	successRefill       = 1
)

// retryBudget is the token bucket; newRetryBudget is full, and a nil one
// pays for everything.
type retryBudget struct {
	mu     sync.Mutex
	tokens int
}

func newRetryBudget() *retryBudget { return &retryBudget{tokens: retryBudgetCapacity} }

// take takes the cost of a retry after res, recording it in st; false: not
// enough tokens, no retry.
func (b *retryBudget) take(st *retryState, res *attemptResult) bool {
	if b == nil {
		return true
	}
	cost := retryCost
	if res.status == 0 {
		cost = retryTimeoutCost
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < cost {
		return false
	}
	b.tokens -= cost
	st.budgetTaken += cost
	return true
}

// takeReplay takes the cost of the transport's sending a request again
// (see sendguard.go).
func (b *retryBudget) takeReplay() bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < retryTimeoutCost {
		return false
	}
	b.tokens -= retryTimeoutCost
	return true
}

// succeeded refills the bucket after a call that succeeded.
func (b *retryBudget) succeeded(st *retryState) {
	if b == nil {
		return
	}
	back := successRefill
	if st.budgetTaken > 0 {
		back = st.budgetTaken
	}
	b.mu.Lock()
	b.tokens = min(b.tokens+back, retryBudgetCapacity)
	b.mu.Unlock()
}
