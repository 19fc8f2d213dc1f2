package workspacetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// The fast encoding of a snapshot page is json.Marshal's, byte for byte.
func TestEncodeSnapshotPageAsJSONMarshal(t *testing.T) {
	t.Parallel()
	fifty := 50
	tests := []struct {
		name  string
		snaps []wire.Snapshot
	}{
		{name: "empty page", snaps: []wire.Snapshot{}},
		{name: "nil page", snaps: nil},
		{name: "plain", snaps: []wire.Snapshot{{
			ID: "s-1", Name: "nightly", DesktopID: "d-1", DesktopName: "desk", DesktopSID: "S-1-5", DesktopPoolID: "p",
			IsSystemDisk: true, Status: "create_success", Process: &fifty, Description: "ok",
			CreateTime: wire.Time(time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)), CreateType: "AUTO",
		}}},
		{name: "strings that need escaping", snaps: []wire.Snapshot{
			{ID: `q"uote\back`, Name: "<b>&amp;</b>", Description: "tab\tnew\nline\x00", DesktopName: "桌面-二 ✓", RestoreFailReason: "bad \xff utf-8", CreateType: "\u2028"},
			{ID: "s-2", LastRestoreTime: wire.Time(time.Date(2024, 4, 21, 0, 0, 0, 0, time.FixedZone("x", -5*3600)))},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := wire.SnapshotPage{Snapshots: tt.snaps, TotalCount: 12345}
			want, err := json.Marshal(p)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(encodeSnapshotPage(p)))
		})
	}
}
