package workspacetest

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// rawJSON is an answer already encoded: writeJSON sends it as it is.
type rawJSON []byte

// encodeSnapshotPage encodes a page of snapshots byte for byte as
// json.Marshal would, without reflection: a page of 1,000 is the fake's
// largest answer, and its encoding, not the client, would otherwise set
// the pace of every test and benchmark that lists many snapshots.
func encodeSnapshotPage(p wire.SnapshotPage) rawJSON {
	b := make([]byte, 0, 64+350*len(p.Snapshots))
	if p.Snapshots == nil {
		b = append(b, `{"desktop_snapshots":null,"total_count":`...)
		return append(strconv.AppendInt(b, int64(p.TotalCount), 10), '}')
	}
	b = append(b, `{"desktop_snapshots":[`...)
	for i := range p.Snapshots {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSnapshot(b, &p.Snapshots[i])
	}
	b = append(b, `],"total_count":`...)
	b = strconv.AppendInt(b, int64(p.TotalCount), 10)
	return append(b, '}')
}

func appendSnapshot(b []byte, s *wire.Snapshot) []byte {
	b = appendField(b, `{"snapshot_id":`, s.ID)
	b = appendField(b, `,"snapshot_name":`, s.Name)
	b = appendField(b, `,"desktop_id":`, s.DesktopID)
	b = appendField(b, `,"desktop_name":`, s.DesktopName)
	b = appendField(b, `,"desktop_sid":`, s.DesktopSID)
	b = appendField(b, `,"desktop_pool_id":`, s.DesktopPoolID)
	b = append(b, `,"is_system_disk":`...)
	b = strconv.AppendBool(b, s.IsSystemDisk)
	b = appendField(b, `,"status":`, s.Status)
	b = append(b, `,"process":`...)
	if s.Process == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*s.Process), 10)
	}
	b = appendField(b, `,"description":`, s.Description)
	b = appendTime(append(b, `,"create_time":`...), s.CreateTime)
	b = appendTime(append(b, `,"last_restore_time":`...), s.LastRestoreTime)
	b = appendField(b, `,"create_type":`, s.CreateType)
	b = appendField(b, `,"restore_fail_reason":`, s.RestoreFailReason)
	return append(b, '}')
}

// appendField appends the key (with its quotes and colon) and s as a JSON
// string.
func appendField(b []byte, key, s string) []byte {
	return appendString(append(b, key...), s)
}

// appendString appends s quoted as json.Marshal quotes it: plain ASCII
// as it is, anything else (escapes, HTML characters, non-ASCII) through
// json.Marshal itself.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}

// appendTime appends t as wire.Time's MarshalJSON does.
func appendTime(b []byte, t wire.Time) []byte {
	if time.Time(t).IsZero() {
		return append(b, "null"...)
	}
	return time.Time(t).UTC().AppendFormat(append(b, '"'), wire.Layout+`"`)
}
