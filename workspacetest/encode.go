package workspacetest

import (
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/wire"
)

// rawJSON is an answer already encoded: writeJSON sends it as it is.
type rawJSON []byte

// encodeSnapshotPage encodes a page of snapshots byte for byte as
// json.Marshal would, without reflection: a page of 1,000 is the fake's
// largest answer, and its encoding, not the client, would otherwise set
// the pace of every test and benchmark that lists many snapshots.
func encodeSnapshotPage(p wire.SnapshotPage) rawJSON {
	if p.Snapshots == nil {
		b := append([]byte(nil), `{"desktop_snapshots":null,"total_count":`...)
		return append(strconv.AppendInt(b, int64(p.TotalCount), 10), '}')
	}
	encs := make([][]byte, len(p.Snapshots))
	for i := range p.Snapshots {
		encs[i] = appendSnapshot(nil, &p.Snapshots[i])
	}
	return appendSnapshotPage(nil, encs, p.TotalCount)
}

// appendImages appends to b the answer of check-images, byte for byte as
// json.Marshal encodes it, without reflection: checking thousands of
// desktops is calls of 500 images each. The handler streams the same
// pieces (imagesHead, appendImageInfo, imagesTail) from the stored
// desktops.
func appendImages(b []byte, im wire.Images) []byte {
	if im.ImageInfos == nil {
		return append(b, `{"image_infos":null}`...)
	}
	b = append(slices.Grow(b, len(imagesHead)+128*len(im.ImageInfos)+len(imagesTail)), imagesHead...)
	var fields []byte
	for i := range im.ImageInfos {
		info := &im.ImageInfos[i]
		fields = appendImageFields(fields[:0], info.ImageID, info.ImageName, info.ImageType, info.OSType)
		b = appendImageInfo(b, i == 0, info.DesktopID, fields)
	}
	return append(b, imagesTail...)
}

// The start and end of check-images' answer around its image infos.
const imagesHead, imagesTail = `{"image_infos":[`, `]}`

// appendImageInfo appends one image info, after a comma unless it is the
// first: the desktop's id and its image's fields as appendImageFields
// encodes them (the same for every desktop of the image).
func appendImageInfo(b []byte, first bool, desktopID string, imageFields []byte) []byte {
	if !first {
		b = append(b, ',')
	}
	b = appendField(b, `{"desktop_id":`, desktopID)
	return append(append(b, imageFields...), '}')
}

// appendImageFields appends the fields of an image info that come from
// the image.
func appendImageFields(b []byte, id, name, typ, osType string) []byte {
	b = appendField(b, `,"image_id":`, id)
	b = appendField(b, `,"image_name":`, name)
	b = appendField(b, `,"image_type":`, typ)
	return appendField(b, `,"os_type":`, osType)
}

// appendSnapshotPage appends to b the page of snapshots whose encodings
// (each as appendSnapshot's) are encs, as encodeSnapshotPage encodes it,
// growing b at most once.
func appendSnapshotPage(b []byte, encs [][]byte, total int) []byte {
	const head, tail = `{"desktop_snapshots":[`, `],"total_count":`
	n := len(head) + len(encs) + len(tail) + 21
	for _, e := range encs {
		n += len(e)
	}
	b = append(slices.Grow(b, n), head...)
	for i, e := range encs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	b = append(b, tail...)
	b = strconv.AppendInt(b, int64(total), 10)
	return append(b, '}')
}

// pooledJSON is an answer already encoded in a buffer of answerBufs:
// writeJSON sends it as it is and gives the buffer back. A page of 1,000
// snapshots is some 400 KB: without the pool, every page would be that
// much garbage for the collector of the process the fake runs in, which
// is the process of the client under test.
type pooledJSON struct{ buf *[]byte }

var answerBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledAnswer bounds the buffers kept in answerBufs.
const maxPooledAnswer = 4 << 20

// release gives the buffer back; the answer is not to be used after.
func (p pooledJSON) release() {
	if cap(*p.buf) <= maxPooledAnswer {
		*p.buf = (*p.buf)[:0]
		answerBufs.Put(p.buf)
	}
}

// snapshotJSON is the encoding of a stored snapshot, with a copy of the
// snapshot it was made from (and of its progress, which a pointer does
// not pin down).
type snapshotJSON struct {
	sn      workspace.Snapshot
	process int
	enc     []byte
}

// snapshotJSONLocked is the encoding of the stored snapshot at index k in
// s.st.snapshots, as appendSnapshot makes it: the one made before if that
// was made from a snapshot equal to it, field by field, or a new one. Any
// change to the stored snapshot, its removal or another one moving to its
// index, makes a new one: the cache needs no invalidation and cannot go
// stale. An encoding is never modified once made, so that a page may use
// it after s.mu is released.
func (s *Server) snapshotJSONLocked(k int) []byte {
	sn := &s.st.snapshots[k]
	if k >= len(s.snapJSON) {
		s.snapJSON = append(s.snapJSON, make([]snapshotJSON, k+1-len(s.snapJSON))...)
	}
	c := &s.snapJSON[k]
	if c.enc != nil && c.sn == *sn && (sn.Process == nil || *sn.Process == c.process) {
		return c.enc
	}
	w := toWireSnapshot(*sn)
	c.sn, c.enc = *sn, appendSnapshot(nil, &w)
	if sn.Process != nil {
		c.process = *sn.Process
	}
	return c.enc
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
