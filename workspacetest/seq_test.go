package workspacetest_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hwcloud-go/workspace/workspacetest"
)

func TestSeq(t *testing.T) {
	t.Parallel()
	boom := errors.New("page 2 failed")
	type step struct {
		item string
		err  error
	}
	collect := func(items []string, err error, stopAfter int) []step {
		var got []step
		for it, err := range workspacetest.Seq(items, err) {
			got = append(got, step{it, err})
			if len(got) == stopAfter {
				break
			}
		}
		return got
	}
	tests := []struct {
		name      string
		items     []string
		err       error
		stopAfter int
		want      []step
	}{
		{"items", []string{"a", "b"}, nil, 0, []step{{"a", nil}, {"b", nil}}},
		{"items then the error once", []string{"a"}, boom, 0, []step{{"a", nil}, {"", boom}}},
		{"only an error", nil, boom, 0, []step{{"", boom}}},
		{"nothing", nil, nil, 0, nil},
		{"break stops it", []string{"a", "b", "c"}, boom, 2, []step{{"a", nil}, {"b", nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, collect(tt.items, tt.err, tt.stopAfter))
			assert.Equal(t, tt.want, collect(tt.items, tt.err, tt.stopAfter), "a second range gives the same")
		})
	}
}
