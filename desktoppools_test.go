package workspace

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDesktopPoolsService_GetInconsistentStatistics(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// The spec's example response.
	mux.handle("/desktop-pools/a130ab3a-72bf-4b71-baa9-af4987c8e338/inconsistent-statics", respond(http.StatusOK, `{
  "product_id" : 2,
  "image_id" : 2,
  "disk_num" : 3,
  "disk_size" : 4
}`))

	got, err := c.DesktopPools.GetInconsistentStatistics(testContext(t), "a130ab3a-72bf-4b71-baa9-af4987c8e338")
	require.NoError(t, err)
	assert.Equal(t, &InconsistentStatistics{ProductID: 2, ImageID: 2, DiskNum: 3, DiskSize: 4}, got)

	r := mux.last(t)
	testMethod(t, r, "GET")
	testPath(t, r, testPrefix+"/desktop-pools/a130ab3a-72bf-4b71-baa9-af4987c8e338/inconsistent-statics")
	testQuery(t, r, nil)
	testNoBody(t, r)
	testHeader(t, r, "X-Auth-Token", testToken)
	assert.Equal(t, 1, mux.requests())
}

func TestDesktopPoolsService_BatchDeleteVolumes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  *BatchDeleteVolumesRequest
		want string // JSON body
	}{
		{
			name: "spec example",
			req: &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{
				{ID: "305d3c76-199f-4407-8d82-2a42d970595e", Type: "SAS", Size: 10},
			}},
			want: `{"volumes":[{"id":"305d3c76-199f-4407-8d82-2a42d970595e","type":"SAS","size":10}]}`,
		},
		{
			name: "current revision: a volume by id alone",
			req:  &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "305d3c76-199f-4407-8d82-2a42d970595e"}}},
			want: `{"volumes":[{"id":"305d3c76-199f-4407-8d82-2a42d970595e"}]}`,
		},
		{
			name: "both revisions in one call",
			req: &BatchDeleteVolumesRequest{
				Volumes:    []VolumeInfo{{ID: "v1"}, {Type: "SAS", Size: 20}, {ID: "v3", ResourceSpecCode: "SSD"}},
				DesktopIDs: []string{"d1"},
			},
			want: `{"volumes":[{"id":"v1"},{"type":"SAS","size":20},{"id":"v3","resource_spec_code":"SSD"}],"desktop_ids":["d1"]}`,
		},
		{
			name: "optional volume fields left out",
			req:  &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{Type: "GPSSD", Size: 32760}}},
			want: `{"volumes":[{"type":"GPSSD","size":32760}]}`,
		},
		{
			name: "with handle_type and desktop_ids",
			req: &BatchDeleteVolumesRequest{
				Volumes: []VolumeInfo{
					{ID: "v1", Type: "SSD", Size: 100, ResourceSpecCode: "SSD"},
					{Type: "SAS", Size: 20},
				},
				HandleType: VolumeHandleForExpandAndIdle,
				DesktopIDs: []string{"d1", "d2"},
			},
			want: `{"volumes":[{"id":"v1","type":"SSD","size":100,"resource_spec_code":"SSD"},{"type":"SAS","size":20}],
				"handle_type":"FOR_EXPAND_AND_IDLE","desktop_ids":["d1","d2"]}`,
		},
		{
			name: "handle_type only",
			req: &BatchDeleteVolumesRequest{
				Volumes:    []VolumeInfo{{Type: "SAS", Size: 10}},
				HandleType: VolumeHandleOnlyForExpand,
			},
			want: `{"volumes":[{"type":"SAS","size":10}],"handle_type":"ONLY_FOR_EXPAND"}`,
		},
		{
			name: "desktop_ids only",
			req: &BatchDeleteVolumesRequest{
				Volumes:    []VolumeInfo{{Type: "SAS", Size: 10}},
				DesktopIDs: []string{"d9"},
			},
			want: `{"volumes":[{"type":"SAS","size":10}],"desktop_ids":["d9"]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			// The spec's example response.
			mux.handle("/desktop-pools/pool-1/volumes/batch-delete", respond(http.StatusOK, `{
  "job_id" : "abc85365-0b2e-4b4f-a091-f7db72072d4b"
}`))
			got, err := c.DesktopPools.BatchDeleteVolumes(testContext(t), "pool-1", tt.req)
			require.NoError(t, err)
			assert.Equal(t, &BatchDeleteVolumesResult{JobID: "abc85365-0b2e-4b4f-a091-f7db72072d4b"}, got)

			r := mux.last(t)
			testMethod(t, r, "POST")
			testPath(t, r, testPrefix+"/desktop-pools/pool-1/volumes/batch-delete")
			testQuery(t, r, nil)
			testJSONBody(t, r, tt.want)
			testHeader(t, r, "X-Auth-Token", testToken)
		})
	}
}

func TestDesktopPoolsService_BatchDeleteVolumes_DoesNotModifyRequest(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools/p/volumes/batch-delete", respond(http.StatusOK, `{"job_id":"j"}`))
	req := &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{Type: "SAS", Size: 10}}, DesktopIDs: []string{"d"}}
	before := *req
	_, err := c.DesktopPools.BatchDeleteVolumes(testContext(t), "p", req)
	require.NoError(t, err)
	assert.Equal(t, before, *req)
}

func TestDesktopPoolsService_ListScriptExecutionTasks_Query(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("UTC+8", 8*60*60)
	tests := []struct {
		name string
		opts *ListScriptExecutionTasksOptions
		want url.Values
	}{
		{name: "nil options", opts: nil, want: nil},
		{name: "zero options send nothing", opts: &ListScriptExecutionTasksOptions{}, want: nil},
		{
			name: "every filter",
			opts: &ListScriptExecutionTasksOptions{
				DesktopPoolID:    "pool-1",
				ScriptID:         "script-1",
				ScriptName:       "clean up & go",
				Status:           TaskStatusFailed,
				TaskType:         TaskTypeCommand,
				TaskIDs:          []string{"t1", "t2", "t3"},
				ExecuteTimeStart: time.Date(2024, 4, 20, 16, 36, 16, 500_000_000, cst),
				ExecuteTimeEnd:   time.Date(2024, 4, 21, 7, 0, 0, 0, cst),
				Offset:           20,
				Limit:            100,
			},
			want: url.Values{
				"desktop_pool_id":    {"pool-1"},
				"script_id":          {"script-1"},
				"script_name":        {"clean up & go"},
				"status":             {"FAILED"},
				"task_type":          {"COMMAND"},
				"task_id":            {"t1", "t2", "t3"},
				"execute_time_start": {"2024-04-20T08:36:16Z"},
				"execute_time_end":   {"2024-04-20T23:00:00Z"},
				"offset":             {"20"},
				"limit":              {"100"},
			},
		},
		{
			name: "one task id, start only",
			opts: &ListScriptExecutionTasksOptions{
				TaskIDs:          []string{"only"},
				ExecuteTimeStart: time.Date(2021, 10, 1, 12, 0, 0, 0, time.UTC),
			},
			want: url.Values{"task_id": {"only"}, "execute_time_start": {"2021-10-01T12:00:00Z"}},
		},
		{
			name: "end only",
			opts: &ListScriptExecutionTasksOptions{ExecuteTimeEnd: time.Date(2021, 10, 1, 12, 0, 0, 0, cst)},
			want: url.Values{"execute_time_end": {"2021-10-01T04:00:00Z"}},
		},
		{
			name: "equal start and end",
			opts: &ListScriptExecutionTasksOptions{
				ExecuteTimeStart: time.Date(2021, 10, 1, 12, 0, 0, 0, time.UTC),
				ExecuteTimeEnd:   time.Date(2021, 10, 1, 20, 0, 0, 0, cst),
			},
			want: url.Values{"execute_time_start": {"2021-10-01T12:00:00Z"}, "execute_time_end": {"2021-10-01T12:00:00Z"}},
		},
		{name: "offset only", opts: &ListScriptExecutionTasksOptions{Offset: 7}, want: url.Values{"offset": {"7"}}},
		{name: "limit only", opts: &ListScriptExecutionTasksOptions{Limit: 1}, want: url.Values{"limit": {"1"}}},
		{name: "status only", opts: &ListScriptExecutionTasksOptions{Status: TaskStatusWaiting}, want: url.Values{"status": {"WAITING"}}},
		{name: "task type only", opts: &ListScriptExecutionTasksOptions{TaskType: TaskTypeScript}, want: url.Values{"task_type": {"SCRIPT"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/desktop-pools/script-execution-tasks/detail", respond(http.StatusOK, `{"script_execution_tasks":[],"total_count":0}`))
			var before ListScriptExecutionTasksOptions
			if tt.opts != nil {
				before = *tt.opts
			}
			page, err := c.DesktopPools.ListScriptExecutionTasks(testContext(t), tt.opts)
			require.NoError(t, err)
			assert.Empty(t, page.Items)
			assert.NotNil(t, page.Items, "an empty page has an empty, non-nil slice")

			r := mux.last(t)
			testMethod(t, r, "GET")
			testPath(t, r, testPrefix+"/desktop-pools/script-execution-tasks/detail")
			testQuery(t, r, tt.want)
			testNoBody(t, r)
			if tt.opts != nil {
				assert.Equal(t, before, *tt.opts, "options must not be modified")
			}
		})
	}
}

// specTasksExample is the spec's example response for script execution
// tasks, as published: its time fields hold the placeholder "string".
const specTasksExample = `{ "script_execution_tasks" : [ { "id" : "string", "desktop_pool_id" : "string", "desktop_pool_name" : "string", "scripts" : [ { "id" : "string", "name" : "string" } ], "command_content" : "string", "command_type" : "string", "start_time" : "string", "end_time" : "string", "status" : "string", "success_num" : 0, "failed_num" : 0, "skip_num" : 0 } ], "total_count" : 0 }`

func TestDesktopPoolsService_ListScriptExecutionTasks_Decode(t *testing.T) {
	t.Parallel()
	t.Run("spec example with real times", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t)
		body := `{ "script_execution_tasks" : [ { "id" : "string", "desktop_pool_id" : "string", "desktop_pool_name" : "string", "scripts" : [ { "id" : "string", "name" : "string" } ], "command_content" : "string", "command_type" : "string", "start_time" : "2021-10-01T12:00:00Z", "end_time" : "2021-10-01T12:05:30Z", "status" : "string", "success_num" : 0, "failed_num" : 0, "skip_num" : 0 } ], "total_count" : 0 }`
		mux.handle("/desktop-pools/script-execution-tasks/detail", respond(http.StatusOK, body))
		page, err := c.DesktopPools.ListScriptExecutionTasks(testContext(t), nil)
		require.NoError(t, err)
		assert.Equal(t, &Page[ScriptExecutionTask]{
			TotalCount: 0,
			Items: []ScriptExecutionTask{{
				ID: "string", DesktopPoolID: "string", DesktopPoolName: "string",
				Scripts:        []Script{{ID: "string", Name: "string"}},
				CommandContent: "string", CommandType: CommandType("string"),
				StartTime: time.Date(2021, 10, 1, 12, 0, 0, 0, time.UTC),
				EndTime:   time.Date(2021, 10, 1, 12, 5, 30, 0, time.UTC),
				Status:    TaskStatus("string"),
			}},
		}, page)
	})
	t.Run("spec example verbatim: placeholder times are an error, not a zero time", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t)
		mux.handle("/desktop-pools/script-execution-tasks/detail", respond(http.StatusOK, specTasksExample))
		page, err := c.DesktopPools.ListScriptExecutionTasks(testContext(t), nil)
		assert.Nil(t, page)
		de := errorAs[*DecodeError](t, err)
		assert.Contains(t, de.Err.Error(), `"string"`)
	})
	t.Run("full task", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t)
		mux.handle("/desktop-pools/script-execution-tasks/detail", respond(http.StatusOK, `{
			"total_count": 42,
			"script_execution_tasks": [
				{"id":"t1","desktop_pool_id":"p1","desktop_pool_name":"pool one",
				 "scripts":[{"id":"s1","name":"a.ps1"},{"id":"s2","name":"b.ps1"}],
				 "command_content":"", "command_type":"POWERSHELL",
				 "start_time":"2024-04-20T16:36:16+08:00","end_time":null,
				 "status":"FINISH","success_num":3,"failed_num":1,"skip_num":2,"brand_new_field":{"x":1}},
				{"id":"t2","command_type":"PYTHON","status":"PAUSED","start_time":""}
			]}`))
		page, err := c.DesktopPools.ListScriptExecutionTasks(testContext(t), nil)
		require.NoError(t, err)
		require.Len(t, page.Items, 2)
		assert.Equal(t, 42, page.TotalCount)
		t1 := page.Items[0]
		assert.Equal(t, ScriptExecutionTask{
			ID: "t1", DesktopPoolID: "p1", DesktopPoolName: "pool one",
			Scripts:     []Script{{ID: "s1", Name: "a.ps1"}, {ID: "s2", Name: "b.ps1"}},
			CommandType: CommandTypePowerShell,
			StartTime:   time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC),
			Status:      TaskStatusFinish, SuccessNum: 3, FailedNum: 1, SkipNum: 2,
		}, t1)
		assert.Equal(t, time.UTC, t1.StartTime.Location())
		assert.True(t, t1.EndTime.IsZero())
		t2 := page.Items[1]
		assert.Equal(t, CommandType("PYTHON"), t2.CommandType, "unknown enum values are kept")
		assert.Equal(t, TaskStatus("PAUSED"), t2.Status)
		assert.True(t, t2.StartTime.IsZero())
		assert.True(t, t2.EndTime.IsZero())
	})
}
