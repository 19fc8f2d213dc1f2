package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// TestDecodeBodyFastAndFallback checks the wiring: the fast path's result
// and the fallback's are what encoding/json gives, and errors are still
// encoding/json's.
func TestDecodeBodyFastAndFallback(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		goldenString(t, "snapshots-list.json"),
		`{"total_count":1,"desktop_snapshots":[{"snapshot_name":"a\u00e9b"}]}`,  // fallback: escape
		`{"total_count":1,"desktop_snapshots":[{"snapshot_id":"a"}],"x":1e400}`, // fallback after a full list
	} {
		var got, want wire.SnapshotPage
		require.NoError(t, decodeBody(strings.NewReader(body), &got), body)
		require.NoError(t, json.Unmarshal([]byte(body), &want))
		assert.Equal(t, want, got, body)
	}
	var got wire.SnapshotPage
	err := decodeBody(strings.NewReader(`{"total_count":"1"}`), &got)
	var te *json.UnmarshalTypeError
	assert.ErrorAs(t, err, &te)

	tasks := goldenString(t, "script-execution-tasks.json")
	var gotTasks, want wire.TaskPage
	require.NoError(t, decodeBody(strings.NewReader(tasks), &gotTasks))
	require.NoError(t, json.Unmarshal([]byte(tasks), &want))
	assert.Equal(t, want, gotTasks)
}

// TestDecodeBodyErrors pins the errors of bodies that are not one JSON
// value of the right shape.
func TestDecodeBodyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"empty", ``, "empty body"},
		{"white space", " \r\n\t", "empty body"},
		{"null", ` null`, "null body"},
		{"trailing value", `{"total_count":1} x`, "unexpected data after the JSON value"},
		{"two values", `{} {}`, "unexpected data after the JSON value"},
		{"html", `<html></html>`, "invalid character '<' looking for beginning of value"},
		{"bad inside", `{"total_count":x}`, "invalid character 'x' looking for beginning of value"},
		{"wrong type", `{"total_count":"1"}`, "json: cannot unmarshal string into Go struct field SnapshotPage.total_count of type int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got wire.SnapshotPage
			err := decodeBody(strings.NewReader(tt.body), &got)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}

	t.Run("read error", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("boom")
		var got wire.SnapshotPage
		err := decodeBody(iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader(`{}`))), &got)
		assert.ErrorIs(t, err, iotest.ErrTimeout, "a read error part way")
		err = decodeBody(iotest.ErrReader(boom), &got)
		assert.ErrorIs(t, err, boom)
	})
}

// TestDecodeSizedBody checks that the size hint of decodeSized (a
// response's Content-Length) only sizes the buffer: a missing, short,
// long or absurd hint decodes the same, and errors stay as they were.
func TestDecodeSizedBody(t *testing.T) {
	t.Parallel()
	body := []byte(goldenString(t, "snapshots-list.json"))
	var want wire.SnapshotPage
	require.NoError(t, json.Unmarshal(body, &want))
	n := int64(len(body))
	for _, size := range []int64{-1, 0, 10, n - 1, n, n + 1, 2 * n, maxPooledBody + 1, 1 << 62} {
		var got wire.SnapshotPage
		require.NoError(t, decodeSized(bytes.NewReader(body), size, &got), "size %d", size)
		assert.Equal(t, want, got, "size %d", size)
	}
	var got wire.SnapshotPage
	err := decodeSized(strings.NewReader(`{"total_count":1} x`), 20, &got)
	require.Error(t, err)
	assert.Equal(t, "unexpected data after the JSON value", err.Error())
}

// TestDecodeCapacityBounded checks that braces inside strings cannot make
// a list's capacity guess allocate more than the largest page.
func TestDecodeCapacityBounded(t *testing.T) {
	t.Parallel()
	body := `{"desktop_snapshots":[{}],"x":"` + strings.Repeat("{", 1<<20) + `"}`
	var p wire.SnapshotPage
	require.NoError(t, decodeBody(strings.NewReader(body), &p))
	require.Len(t, p.Snapshots, 1)
	assert.LessOrEqual(t, cap(p.Snapshots), MaxSnapshotsLimit)
	tasks := `{"script_execution_tasks":[{}],"x":"` + strings.Repeat("{", 1<<20) + `"}`
	var q wire.TaskPage
	require.NoError(t, decodeBody(strings.NewReader(tasks), &q))
	require.Len(t, q.Tasks, 1)
	assert.LessOrEqual(t, cap(q.Tasks), MaxScriptTasksLimit)
}

// goldenString reads testdata/golden/name: an answer of the API as its
// reference pages give it.
func goldenString(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/golden/" + name)
	require.NoError(t, err)
	return string(b)
}
