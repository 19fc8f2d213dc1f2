package workspace

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithWaitInterval(t *testing.T) {
	t.Parallel()
	const interval = 20 * time.Millisecond
	tests := []struct {
		name    string
		opts    *WaitOptions
		minGap  time.Duration
		maxWait time.Duration
	}{
		{"nil options take the client's interval", nil, interval, 5 * time.Second},
		{"a zero Interval takes the client's interval", &WaitOptions{}, interval, 5 * time.Second},
		{"an Interval in the call wins", &WaitOptions{Interval: 2 * interval}, 2 * interval, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newJobServer(t, answerJob("RUNNING"), answerJob("RUNNING"), answerJob("SUCCESS"))
			c := s.mux.client(t, WithRetryPolicy(RetryPolicy{}), WithWaitInterval(interval)) // default retries
			// Far below defaultWaitInterval (10 s): a default poll would hit the deadline.
			ctx, cancel := context.WithTimeout(context.Background(), tt.maxWait)
			defer cancel()
			job, err := c.Jobs.Wait(ctx, "job-1", tt.opts)
			require.NoError(t, err)
			assert.Equal(t, JobStatusSuccess, job.Status)
			polls := s.pollTimes()
			require.Len(t, polls, 3)
			for i := 1; i < len(polls); i++ {
				assert.GreaterOrEqual(t, polls[i].Sub(polls[i-1]), tt.minGap, "gap before poll %d", i)
			}
		})
	}
}

func TestWithWaitIntervalRejectsNonPositive(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, -time.Second} {
		_, err := NewClient(WithEndpoint("http://127.0.0.1:1"), WithProjectID("p"), WithToken("t"), WithWaitInterval(d))
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "WithWaitInterval(%v)", d)
		assert.Equal(t, "waitInterval", ve.Field)
	}
}
