package workspace

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A call tells its context when its answer is in hand: a 2xx body read
// whole, once, before it is decoded (a body that does not decode too: it
// is final), and never for an answer that may still be retried or failed.
func TestCallSaysWhenItsAnswerIsInHand(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		status  int
		body    string
		want    int32
		wantErr bool
	}{
		{"200", http.StatusOK, `{"desktop_pool_id":"p","desktop_num":3}`, 1, false},
		{"200 that does not decode", http.StatusOK, `<html>gateway</html>`, 1, true},
		{"500", http.StatusInternalServerError, "", 0, true},
		{"404", http.StatusNotFound, "", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, mux := setup(t)
			var served atomic.Int32
			mux.handle("/desktop-pools/p/inconsistent-statics", func(w http.ResponseWriter, r *http.Request) {
				served.Add(1)
				if tt.status >= 300 {
					writeAPIError(w, tt.status, "")
					return
				}
				writeJSON(w, tt.status, tt.body)
			})
			c := mux.client(t)
			var calls, servedBefore atomic.Int32
			ctx := withAnswered(context.Background(), func() {
				calls.Add(1)
				servedBefore.Store(served.Load())
			})
			_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "p")
			if tt.wantErr {
				require.Error(t, err)
				var de *DecodeError
				assert.Equal(t, tt.want == 1, errors.As(err, &de), "only an answer in hand fails to decode")
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, calls.Load())
			if tt.want > 0 {
				assert.EqualValues(t, 1, servedBefore.Load(), "after the answer came")
			}
		})
	}
}

// Without a function in the context, answered does nothing.
func TestAnsweredWithoutAFunction(t *testing.T) {
	t.Parallel()
	assert.NotPanics(t, func() { answered(context.Background()) })
}
