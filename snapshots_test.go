package workspace

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSnapshotsService_List_Query(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts *ListSnapshotsOptions
		want url.Values
	}{
		{name: "nil options", opts: nil, want: nil},
		{name: "zero options send nothing", opts: &ListSnapshotsOptions{}, want: nil},
		{name: "empty slices send nothing", opts: &ListSnapshotsOptions{DesktopIDs: []string{}, SnapshotNames: []string{}}, want: nil},
		{
			name: "every filter",
			opts: &ListSnapshotsOptions{
				DesktopID:     "d1",
				DesktopName:   "desk one",
				SnapshotName:  "snap/1",
				DesktopIDs:    []string{"d2", "d3"},
				DesktopNames:  []string{"n1", "n2", "n3"},
				SnapshotNames: []string{"s1"},
				DiskType:      DiskTypeDataDisks,
				CreateType:    CreateTypeManually,
				Status:        SnapshotStatusRestoreFailed,
				SortField:     SortFieldSnapshotName,
				SortType:      SortTypeDesc,
				Offset:        2000,
				Limit:         1000,
			},
			want: url.Values{
				"desktop_id":     {"d1"},
				"desktop_name":   {"desk one"},
				"snapshot_name":  {"snap/1"},
				"desktop_ids":    {"d2", "d3"},
				"desktop_names":  {"n1", "n2", "n3"},
				"snapshot_names": {"s1"},
				"disk_type":      {"DATA_DISKS"},
				"create_type":    {"MANUALLY"},
				"status":         {"restore_failed"},
				"sort_field":     {"snapshot_name"},
				"sort_type":      {"DESC"},
				"offset":         {"2000"},
				"limit":          {"1000"},
			},
		},
		{
			name: "sort pair",
			opts: &ListSnapshotsOptions{SortField: SortFieldCreateTime, SortType: SortTypeAsc},
			want: url.Values{"sort_field": {"create_time"}, "sort_type": {"ASC"}},
		},
		{name: "limit 1", opts: &ListSnapshotsOptions{Limit: 1}, want: url.Values{"limit": {"1"}}},
		{name: "offset only", opts: &ListSnapshotsOptions{Offset: 3}, want: url.Values{"offset": {"3"}}},
		{name: "disk type all", opts: &ListSnapshotsOptions{DiskType: DiskTypeAll}, want: url.Values{"disk_type": {"ALL"}}},
		{
			name: "query metacharacters in values",
			opts: &ListSnapshotsOptions{SnapshotName: "a&b=c?d#e%f+g h", DesktopNames: []string{"x&y", "z=w"}},
			want: url.Values{"snapshot_name": {"a&b=c?d#e%f+g h"}, "desktop_names": {"x&y", "z=w"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/snapshots", respond(http.StatusOK, `{"desktop_snapshots":[],"total_count":0}`))
			var before ListSnapshotsOptions
			if tt.opts != nil {
				before = *tt.opts
			}
			page, err := c.Snapshots.List(testContext(t), tt.opts)
			require.NoError(t, err)
			assert.NotNil(t, page.Items)
			assert.Empty(t, page.Items)

			r := mux.last(t)
			testMethod(t, r, "GET")
			testPath(t, r, testPrefix+"/snapshots")
			testQuery(t, r, tt.want)
			testNoBody(t, r)
			if tt.opts != nil {
				assert.Equal(t, before, *tt.opts, "options must not be modified")
			}
		})
	}
}

func TestSnapshotsService_List_SpecExample(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/snapshots", respond(http.StatusOK, `{ "total_count" : 2, "desktop_snapshots" : [ { "snapshot_id" : "eed156d9-02a5-46f5-8eb1-54f09ab9fbae", "snapshot_name" : "sys0420_xzx03_1713602176593", "desktop_id" : "7163a7ba-fc09-4238-ab73-0689ea7f54c3", "desktop_name" : "xzx03", "desktop_sid" : "22ad6780-3236-4838-b509-8068d254e9de", "is_system_disk" : true, "status" : "create_success", "description" : "Description.", "create_time" : "2024-04-20T08:36:16Z", "create_type" : "MANUALLY" }, { "snapshot_id" : "a7e996da-20db-4de8-8aff-4c8e4c6d5ed3", "snapshot_name" : "AUTOCREATED_AA_1713595811910", "desktop_id" : "a3e8d0d0-79df-413d-a327-d702a4fb2e15", "desktop_name" : "AA", "desktop_sid" : "1346b13d-d3e4-4965-bfb4-5bb880bf7dbf", "is_system_disk" : false, "status" : "create_success", "description" : "Description.", "create_time" : "2024-04-20T06:50:11Z", "create_type" : "AUTO" } ] }`))

	page, err := c.Snapshots.List(testContext(t), nil)
	require.NoError(t, err)
	assert.Equal(t, &Page[Snapshot]{
		TotalCount: 2,
		Items: []Snapshot{
			{
				ID: "eed156d9-02a5-46f5-8eb1-54f09ab9fbae", Name: "sys0420_xzx03_1713602176593",
				DesktopID: "7163a7ba-fc09-4238-ab73-0689ea7f54c3", DesktopName: "xzx03",
				DesktopSID: "22ad6780-3236-4838-b509-8068d254e9de", IsSystemDisk: true,
				Status: SnapshotStatusCreateSuccess, Description: "Description.",
				CreateTime: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC), CreateType: CreateTypeManually,
			},
			{
				ID: "a7e996da-20db-4de8-8aff-4c8e4c6d5ed3", Name: "AUTOCREATED_AA_1713595811910",
				DesktopID: "a3e8d0d0-79df-413d-a327-d702a4fb2e15", DesktopName: "AA",
				DesktopSID: "1346b13d-d3e4-4965-bfb4-5bb880bf7dbf", IsSystemDisk: false,
				Status: SnapshotStatusCreateSuccess, Description: "Description.",
				CreateTime: time.Date(2024, 4, 20, 6, 50, 11, 0, time.UTC), CreateType: CreateTypeAuto,
			},
		},
	}, page)
	for _, s := range page.Items {
		assert.Nil(t, s.Process, "absent process is nil")
		assert.True(t, s.LastRestoreTime.IsZero())
	}
}

func TestSnapshotsService_List_ProcessAndTimes(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/snapshots", respond(http.StatusOK, `{"total_count":5,"desktop_snapshots":[
		{"snapshot_id":"null-process","process":null,"create_time":"","last_restore_time":null},
		{"snapshot_id":"zero-process","process":0,"create_time":"2024-04-20T16:36:16+08:00"},
		{"snapshot_id":"some-process","process":55,"status":"restoring","create_time":"2024-04-20T08:36:16.250Z"},
		{"snapshot_id":"full-process","process":100,"status":"frozen","create_type":"SCHEDULED_BY_ROBOT","unknown":{"a":[1]}},
		{"snapshot_id":"restored","last_restore_time":"2024-04-21T00:00:00-05:00","restore_fail_reason":"disk busy","desktop_pool_id":"pool-9"}
	]}`))
	page, err := c.Snapshots.List(testContext(t), nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 5)
	byID := map[string]Snapshot{}
	for _, s := range page.Items {
		byID[s.ID] = s
	}

	assert.Nil(t, byID["null-process"].Process, "null process is nil")
	assert.True(t, byID["null-process"].CreateTime.IsZero(), `"" time is zero`)
	assert.True(t, byID["null-process"].LastRestoreTime.IsZero(), "null time is zero")

	if assert.NotNil(t, byID["zero-process"].Process, "0 is not null") {
		assert.Equal(t, 0, *byID["zero-process"].Process)
	}
	ct := byID["zero-process"].CreateTime
	assert.Equal(t, time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC), ct, "offset times are converted to UTC")
	assert.Equal(t, time.UTC, ct.Location())

	if assert.NotNil(t, byID["some-process"].Process) {
		assert.Equal(t, 55, *byID["some-process"].Process)
	}
	assert.Equal(t, SnapshotStatusRestoring, byID["some-process"].Status)
	assert.Equal(t, time.Date(2024, 4, 20, 8, 36, 16, 250_000_000, time.UTC), byID["some-process"].CreateTime)

	full := byID["full-process"]
	if assert.NotNil(t, full.Process) {
		assert.Equal(t, 100, *full.Process)
	}
	assert.Equal(t, SnapshotStatus("frozen"), full.Status, "unknown status kept")
	assert.Equal(t, CreateType("SCHEDULED_BY_ROBOT"), full.CreateType, "unknown create type kept")
	assert.True(t, full.CreateTime.IsZero(), "absent time is zero")

	restored := byID["restored"]
	assert.Equal(t, time.Date(2024, 4, 21, 5, 0, 0, 0, time.UTC), restored.LastRestoreTime)
	assert.Equal(t, "disk busy", restored.RestoreFailReason)
	assert.Equal(t, "pool-9", restored.DesktopPoolID)
}

func TestSnapshotsService_List_ProcessPointersAreDistinct(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/snapshots", respond(http.StatusOK, `{"total_count":2,"desktop_snapshots":[
		{"snapshot_id":"a","process":10},{"snapshot_id":"b","process":20}]}`))
	page, err := c.Snapshots.List(testContext(t), nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	require.NotNil(t, page.Items[0].Process)
	require.NotNil(t, page.Items[1].Process)
	assert.NotSame(t, page.Items[0].Process, page.Items[1].Process)
	assert.Equal(t, 10, *page.Items[0].Process)
	assert.Equal(t, 20, *page.Items[1].Process)
}

func TestSnapshotsService_Batches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, rel, want string
		call            func(ctx context.Context, c *Client) (*BatchSnapshotsResult, error)
	}{
		{
			name: "create, desktops only", rel: "/snapshots/batch-create", want: `{"desktop_ids":["d1","d2"]}`,
			call: func(ctx context.Context, c *Client) (*BatchSnapshotsResult, error) {
				return c.Snapshots.BatchCreate(ctx, &BatchCreateSnapshotsRequest{DesktopIDs: []string{"d1", "d2"}})
			},
		},
		{
			name: "create, every field", rel: "/snapshots/batch-create",
			want: `{"desktop_ids":["d1"],"disk_type":"ALL","system_disk_snapshot":{"name":"sys","description":"before"},
				"data_disk_snapshot":{"name":"data"}}`,
			call: func(ctx context.Context, c *Client) (*BatchSnapshotsResult, error) {
				return c.Snapshots.BatchCreate(ctx, &BatchCreateSnapshotsRequest{
					DesktopIDs: []string{"d1"}, DiskType: DiskTypeAll,
					SystemDisk: SnapshotSpec{Name: "sys", Description: "before"}, DataDisk: SnapshotSpec{Name: "data"},
				})
			},
		},
		{
			name: "delete", rel: "/snapshots/batch-delete", want: `{"snapshot_ids":["s1","s2"]}`,
			call: func(ctx context.Context, c *Client) (*BatchSnapshotsResult, error) {
				return c.Snapshots.BatchDelete(ctx, []string{"s1", "s2"})
			},
		},
		{
			name: "restore", rel: "/snapshots/batch-restore", want: `{"snapshot_ids":["s1"]}`,
			call: func(ctx context.Context, c *Client) (*BatchSnapshotsResult, error) {
				return c.Snapshots.BatchRestore(ctx, []string{"s1"})
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle(tt.rel, respond(http.StatusOK, `{"job_id": "job-9", "unknown": 1}`))
			got, err := tt.call(testContext(t), c)
			require.NoError(t, err)
			assert.Equal(t, &BatchSnapshotsResult{JobID: "job-9"}, got)
			r := mux.last(t)
			testMethod(t, r, "POST")
			testPath(t, r, testPrefix+tt.rel)
			testQuery(t, r, nil)
			testJSONBody(t, r, tt.want)
			testHeader(t, r, "X-Auth-Token", testToken)
		})
	}
}

func TestSnapshotsBatchValidation(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	ctx := testContext(t)
	var nilCtx context.Context // a nil context, as a careless caller would pass
	many := make([]string, 101)
	for i := range many {
		many[i] = "s"
	}
	tests := []struct {
		field string
		call  func() error
	}{
		{"ctx", func() error { _, err := c.Snapshots.BatchCreate(nilCtx, &BatchCreateSnapshotsRequest{}); return err }},
		{"req", func() error { _, err := c.Snapshots.BatchCreate(ctx, nil); return err }},
		{"req.DesktopIDs", func() error { _, err := c.Snapshots.BatchCreate(ctx, &BatchCreateSnapshotsRequest{}); return err }},
		{"req.DesktopIDs", func() error {
			_, err := c.Snapshots.BatchCreate(ctx, &BatchCreateSnapshotsRequest{DesktopIDs: many})
			return err
		}},
		{"req.DesktopIDs[1]", func() error {
			_, err := c.Snapshots.BatchCreate(ctx, &BatchCreateSnapshotsRequest{DesktopIDs: []string{"d", ""}})
			return err
		}},
		{"ctx", func() error { _, err := c.Snapshots.BatchDelete(nilCtx, []string{"s"}); return err }},
		{"snapshotIDs", func() error { _, err := c.Snapshots.BatchDelete(ctx, nil); return err }},
		{"snapshotIDs", func() error { _, err := c.Snapshots.BatchDelete(ctx, many); return err }},
		{"snapshotIDs[0]", func() error { _, err := c.Snapshots.BatchDelete(ctx, []string{" "}); return err }},
		{"ctx", func() error { _, err := c.Snapshots.BatchRestore(nilCtx, []string{"s"}); return err }},
		{"snapshotIDs", func() error { _, err := c.Snapshots.BatchRestore(ctx, []string{}); return err }},
		{"snapshotIDs", func() error { _, err := c.Snapshots.BatchRestore(ctx, many); return err }},
		{"snapshotIDs[0]", func() error { _, err := c.Snapshots.BatchRestore(ctx, []string{""}); return err }},
	}
	for _, tt := range tests {
		err := tt.call()
		assert.Equal(t, tt.field, errorAs[*ValidationError](t, err).Field, "%v", err)
	}
	assert.Zero(t, mux.requests())
}
