package wire

import (
	"bytes"
	"time"

	"github.com/hwcloud-go/workspace/internal/jsonscan"
)

// The hand-written decoders of the two large list pages, snapshots and
// script execution tasks, where encoding/json's reflection is most of the
// cost of a call, and of the small statistics object. Beyond what jsonscan
// declines, they decline keys that differ from a field's name only in case
// (encoding/json matches those), a known key seen twice, and a time
// ParseTime does not take (or one written with escapes). The caller then
// decodes with encoding/json. Whenever they report true, the result is what
// json.Unmarshal gives into a zero value; FuzzFastDecodeSnapshotPage,
// FuzzFastDecodeTaskPage and FuzzFastDecodeStatistics check that.

// The largest pages the API hands out (workspace.MaxSnapshotsLimit and
// workspace.MaxScriptTasksLimit): only a bound on a list's first capacity.
const (
	maxSnapshotsPage = 1000
	maxTasksPage     = 100
)

// DecodeFast decodes data into *p and reports true, or reports false and
// leaves *p untouched.
func (p *SnapshotPage) DecodeFast(data []byte) bool {
	items, total, ok := DecodeSnapshotPage(data, (*Snapshot).fields)
	if ok {
		*p = SnapshotPage{Snapshots: items, TotalCount: total}
	}
	return ok
}

// SnapshotFields points at the fields of one snapshot: a Snapshot's, or
// those of another type with the same fields (the public one), which
// DecodeSnapshotPage then decodes into without a Snapshot in between.
type SnapshotFields struct {
	ID, Name, DesktopID, DesktopName, DesktopSID, DesktopPoolID *string
	IsSystemDisk                                                *bool
	Status                                                      *string
	Process                                                     **int
	Description                                                 *string
	CreateTime, LastRestoreTime                                 *time.Time
	CreateType, RestoreFailReason                               *string
}

func (s *Snapshot) fields() SnapshotFields {
	return SnapshotFields{
		ID: &s.ID, Name: &s.Name, DesktopID: &s.DesktopID, DesktopName: &s.DesktopName, DesktopSID: &s.DesktopSID,
		DesktopPoolID: &s.DesktopPoolID, IsSystemDisk: &s.IsSystemDisk, Status: &s.Status, Process: &s.Process,
		Description: &s.Description, CreateTime: (*time.Time)(&s.CreateTime), LastRestoreTime: (*time.Time)(&s.LastRestoreTime),
		CreateType: &s.CreateType, RestoreFailReason: &s.RestoreFailReason,
	}
}

// DecodeSnapshotPage is SnapshotPage's DecodeFast into a list of any type
// T whose fields fields points at: whenever it reports true, each field
// holds what json.Unmarshal puts into the Snapshot field of its name, in
// a zero SnapshotPage.
func DecodeSnapshotPage[T any](data []byte, fields func(*T) SnapshotFields) (items []T, total int, ok bool) {
	return page(data, "desktop_snapshots", maxSnapshotsPage, func(d *jsonscan.Decoder, t *T) bool {
		return snapshot(d, fields(t))
	})
}

// DecodeFast decodes data into *p and reports true, or reports false and
// leaves *p untouched.
func (p *TaskPage) DecodeFast(data []byte) bool {
	items, total, ok := page(data, "script_execution_tasks", maxTasksPage, task)
	if ok {
		*p = TaskPage{Tasks: items, TotalCount: total}
	}
	return ok
}

// DecodeFast decodes data into *s and reports true, or reports false and
// leaves *s untouched. The statistics object is small, but it is the
// answer of the SDK's cheapest call, where encoding/json took about 3 µs of
// the call's CPU time (this takes a tenth of a microsecond).
func (s *Statistics) DecodeFast(data []byte) bool {
	var v Statistics
	var seen uint
	d := jsonscan.NewDecoder(data)
	ok := d.Object(func(key []byte) bool {
		switch string(key) {
		case "product_id":
			return jsonscan.Once(&seen, 1<<0) && d.Int(&v.ProductID)
		case "image_id":
			return jsonscan.Once(&seen, 1<<1) && d.Int(&v.ImageID)
		case "disk_num":
			return jsonscan.Once(&seen, 1<<2) && d.Int(&v.DiskNum)
		case "disk_size":
			return jsonscan.Once(&seen, 1<<3) && d.Int(&v.DiskSize)
		}
		return d.Unknown(key, "product_id", "image_id", "disk_num", "disk_size")
	})
	if ok && d.End() {
		*s = v
		return true
	}
	return false
}

// page decodes a list page, {"<listKey>": [...], "total_count": n}, with
// item decoding each element; maxItems is the largest page the API hands
// out. ok is false for anything the fast path does not take.
func page[T any](data []byte, listKey string, maxItems int, item func(*jsonscan.Decoder, *T) bool) (items []T, total int, ok bool) {
	d := jsonscan.NewDecoder(data)
	var seen uint
	ok = d.Object(func(key []byte) bool {
		switch string(key) {
		case listKey:
			return jsonscan.Once(&seen, 1) && jsonscan.List(&d, &items, d.CountHint(maxItems), item)
		case "total_count":
			return jsonscan.Once(&seen, 2) && d.Int(&total)
		}
		return d.Unknown(key, listKey, "total_count")
	})
	return items, total, ok && d.End()
}

// DecodeFast decodes data into *p and reports true, or reports false and
// leaves *p untouched. CheckImages splits its ids into calls of 500, each
// answered with up to 500 images: encoding/json took most of the CPU time
// of checking thousands of desktops.
func (p *Images) DecodeFast(data []byte) bool {
	var items []ImageInfo
	var seen uint
	d := jsonscan.NewDecoder(data)
	ok := d.Object(func(key []byte) bool {
		if string(key) == "image_infos" {
			return jsonscan.Once(&seen, 1) && jsonscan.List(&d, &items, d.CountHint(maxImageInfos), imageInfo)
		}
		return d.Unknown(key, "image_infos")
	})
	if ok && d.End() {
		*p = Images{ImageInfos: items}
		return true
	}
	return false
}

// DecodeFast decodes data into *r and reports true, or reports false and
// leaves *r untouched. It is how the fake server (workspacetest) reads
// the ids of check-images: with encoding/json, reading 500 ids took a
// third of its time per call, time that every chunk of a user's
// concurrent CheckImages waited for behind the others.
func (r *CheckImagesRequest) DecodeFast(data []byte) bool {
	var ids []string
	var seen uint
	d := jsonscan.NewDecoder(data)
	ok := d.Object(func(key []byte) bool {
		if string(key) == "desktop_ids" {
			hint := min(bytes.Count(data, []byte{','})+1, maxImageInfos)
			return jsonscan.Once(&seen, 1) && jsonscan.List(&d, &ids, hint, func(d *jsonscan.Decoder, id *string) bool {
				return d.Flush(d.String(id))
			})
		}
		return d.Unknown(key, "desktop_ids")
	})
	if ok && d.End() {
		*r = CheckImagesRequest{DesktopIDs: ids}
		return true
	}
	return false
}

// maxImageInfos is the most images one answer carries (the ids a call
// takes, workspace.MaxCheckImagesDesktops): only a bound on a list's first
// capacity.
const maxImageInfos = 500

// ImageInfoKeys are the JSON names of an ImageInfo's fields.
var ImageInfoKeys = []string{"desktop_id", "image_id", "image_name", "image_type", "os_type"}

// imageInfo decodes one image object, or null (the zero image).
func imageInfo(d *jsonscan.Decoder, im *ImageInfo) bool {
	if d.Null() {
		return true
	}
	var seen uint
	ok := d.Object(func(key []byte) bool {
		switch string(key) {
		case "desktop_id":
			return jsonscan.Once(&seen, 1<<0) && d.String(&im.DesktopID)
		case "image_id":
			return jsonscan.Once(&seen, 1<<1) && d.String(&im.ImageID)
		case "image_name":
			return jsonscan.Once(&seen, 1<<2) && d.String(&im.ImageName)
		case "image_type":
			return jsonscan.Once(&seen, 1<<3) && d.String(&im.ImageType)
		case "os_type":
			return jsonscan.Once(&seen, 1<<4) && d.String(&im.OSType)
		}
		return d.Unknown(key, ImageInfoKeys...)
	})
	return d.Flush(ok)
}

// SnapshotKeys are the JSON names of a Snapshot's fields.
var SnapshotKeys = []string{
	"snapshot_id", "snapshot_name", "desktop_id", "desktop_name", "desktop_sid",
	"desktop_pool_id", "is_system_disk", "status", "process", "description",
	"create_time", "last_restore_time", "create_type", "restore_fail_reason",
}

// snapshot decodes one snapshot object, or null (the zero snapshot), into
// the fields of s.
func snapshot(d *jsonscan.Decoder, s SnapshotFields) bool {
	if d.Null() {
		return true
	}
	var seen uint
	ok := d.Object(func(key []byte) bool {
		switch string(key) {
		case "snapshot_id":
			return jsonscan.Once(&seen, 1<<0) && d.String(s.ID)
		case "snapshot_name":
			return jsonscan.Once(&seen, 1<<1) && d.String(s.Name)
		case "desktop_id":
			return jsonscan.Once(&seen, 1<<2) && d.String(s.DesktopID)
		case "desktop_name":
			return jsonscan.Once(&seen, 1<<3) && d.String(s.DesktopName)
		case "desktop_sid":
			return jsonscan.Once(&seen, 1<<4) && d.String(s.DesktopSID)
		case "desktop_pool_id":
			return jsonscan.Once(&seen, 1<<5) && d.String(s.DesktopPoolID)
		case "is_system_disk":
			return jsonscan.Once(&seen, 1<<6) && d.Bool(s.IsSystemDisk)
		case "status":
			return jsonscan.Once(&seen, 1<<7) && d.Enum(s.Status, snapshotStatuses)
		case "process":
			return jsonscan.Once(&seen, 1<<8) && d.IntPtr(s.Process)
		case "description":
			return jsonscan.Once(&seen, 1<<9) && d.String(s.Description)
		case "create_time":
			return jsonscan.Once(&seen, 1<<10) && timeField(d, s.CreateTime)
		case "last_restore_time":
			return jsonscan.Once(&seen, 1<<11) && timeField(d, s.LastRestoreTime)
		case "create_type":
			return jsonscan.Once(&seen, 1<<12) && d.Enum(s.CreateType, createTypes)
		case "restore_fail_reason":
			return jsonscan.Once(&seen, 1<<13) && d.String(s.RestoreFailReason)
		}
		return d.Unknown(key, SnapshotKeys...)
	})
	return d.Flush(ok)
}

// TaskKeys are the JSON names of a Task's fields.
var TaskKeys = []string{
	"id", "desktop_pool_id", "desktop_pool_name", "scripts", "command_content",
	"command_type", "start_time", "end_time", "status", "success_num", "failed_num", "skip_num",
}

// task decodes one task object, or null (the zero task).
func task(d *jsonscan.Decoder, t *Task) bool {
	if d.Null() {
		return true
	}
	var seen uint
	ok := d.Object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return jsonscan.Once(&seen, 1<<0) && d.String(&t.ID)
		case "desktop_pool_id":
			return jsonscan.Once(&seen, 1<<1) && d.String(&t.DesktopPoolID)
		case "desktop_pool_name":
			return jsonscan.Once(&seen, 1<<2) && d.String(&t.DesktopPoolName)
		case "scripts":
			return jsonscan.Once(&seen, 1<<3) && jsonscan.List(d, &t.Scripts, 2, script)
		case "command_content":
			return jsonscan.Once(&seen, 1<<4) && d.String(&t.CommandContent)
		case "command_type":
			return jsonscan.Once(&seen, 1<<5) && d.Enum(&t.CommandType, commandTypes)
		case "start_time":
			return jsonscan.Once(&seen, 1<<6) && timeField(d, (*time.Time)(&t.StartTime))
		case "end_time":
			return jsonscan.Once(&seen, 1<<7) && timeField(d, (*time.Time)(&t.EndTime))
		case "status":
			return jsonscan.Once(&seen, 1<<8) && d.Enum(&t.Status, taskStatuses)
		case "success_num":
			return jsonscan.Once(&seen, 1<<9) && d.Int(&t.SuccessNum)
		case "failed_num":
			return jsonscan.Once(&seen, 1<<10) && d.Int(&t.FailedNum)
		case "skip_num":
			return jsonscan.Once(&seen, 1<<11) && d.Int(&t.SkipNum)
		}
		return d.Unknown(key, TaskKeys...)
	})
	return d.Flush(ok)
}

// script decodes one script object of a task, or null (the zero script).
func script(d *jsonscan.Decoder, s *Script) bool {
	if d.Null() {
		return true
	}
	var seen uint
	ok := d.Object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return jsonscan.Once(&seen, 1) && d.String(&s.ID)
		case "name":
			return jsonscan.Once(&seen, 2) && d.String(&s.Name)
		}
		return d.Unknown(key, "id", "name")
	})
	return d.Flush(ok)
}

// timeField decodes a time in any form ParseTime takes, "" (the zero
// time) or null (leaving *out as it is).
func timeField(d *jsonscan.Decoder, out *time.Time) bool {
	q, ok := d.Quoted()
	switch {
	case !ok:
		return false
	case q == nil: // null
		return true
	case len(q) == 2: // ""
		*out = time.Time{}
		return true
	}
	t, ok := ParseQuotedUTC(q)
	if !ok && bytes.IndexByte(q, '\\') < 0 {
		// Another form the API is seen to send: the same parse as
		// UnmarshalJSON's. A string with escapes is left to it.
		t, ok = ParseTime(string(q[1 : len(q)-1]))
	}
	if ok {
		*out = t
	}
	return ok
}

// The documented values of the enumerations (the constants of package
// workspace); a value equal to one of these shares its string instead of
// allocating a copy.
var (
	snapshotStatuses = []string{
		"create_success", "creating", "restoring", "create_failed", "restore_success", "restore_failed",
	}
	createTypes  = []string{"AUTO", "MANUALLY"}
	commandTypes = []string{"POWERSHELL", "BAT", "SHELL"}
	taskStatuses = []string{"FINISH", "FAILED", "RUNNING", "INIT", "SUCCESS", "WAITING"}
)
