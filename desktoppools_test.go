package workspace

import (
	"context"
	"net/http"
	"net/url"
	"strings"
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

func boolPtr(v bool) *bool { return &v }

func TestDesktopPoolsService_List(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *ListDesktopPoolsOptions
		wantQuery url.Values
	}{
		{name: "nil opts: no query", opts: nil},
		{name: "zero opts: no query", opts: &ListDesktopPoolsOptions{}},
		{
			name: "every filter",
			opts: &ListDesktopPoolsOptions{
				Name: "fin ance", Type: PoolTypeStatic, EnterpriseProjectID: "0",
				InMaintenanceMode: boolPtr(false), Offset: 10, Limit: 1000,
			},
			wantQuery: url.Values{
				"name": {"fin ance"}, "type": {"STATIC"}, "enterprise_project_id": {"0"},
				"in_maintenance_mode": {"false"}, "offset": {"10"}, "limit": {"1000"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/desktop-pools", respond(http.StatusOK, `{"total_count": 3, "desktop_pools": [
				{"id": "p1", "name": "finance", "type": "DYNAMIC", "status": "STEADY", "created_time": "2022-05-11T11:45:42.000Z",
				 "charging_mode": "1", "desktop_count": 4, "desktop_used": 2, "image_id": "img-1",
				 "product": {"product_id": "prod-1", "cpu": "2", "memory": "4096", "is_gpu": false, "charge_mode": "1"},
				 "root_volume": {"type": "SAS", "size": 80}, "data_volumes": [{"id": "v1", "type": "SSD", "size": 100, "iops": 3000}],
				 "subnet_ids": ["s1"], "security_groups": [{"id": "sg1", "name": "default"}], "tags": [{"key": "k", "value": "v"}],
				 "enable_autoscale": true, "in_maintenance_mode": false, "vpc_id": "vpc-1", "availability_zone": "az1"}]}`))
			got, err := c.DesktopPools.List(testContext(t), tt.opts)
			require.NoError(t, err)
			assert.Equal(t, &Page[DesktopPool]{TotalCount: 3, Items: []DesktopPool{{
				ID: "p1", Name: "finance", Type: PoolTypeDynamic, Status: PoolStatusSteady,
				CreateTime: time.Date(2022, 5, 11, 11, 45, 42, 0, time.UTC), ChargeMode: ChargeModeOnDemand,
				DesktopCount: 4, DesktopUsed: 2, ImageID: "img-1",
				Product:     Product{ID: "prod-1", CPU: "2", Memory: "4096", ChargeMode: ChargeModeOnDemand},
				RootVolume:  VolumeInfo{Type: "SAS", Size: 80},
				DataVolumes: []VolumeInfo{{ID: "v1", Type: "SSD", Size: 100, IOPS: 3000}},
				SubnetIDs:   []string{"s1"}, SecurityGroups: []SecurityGroup{{ID: "sg1", Name: "default"}},
				Tags: []Tag{{Key: "k", Value: "v"}}, EnableAutoscale: true, VPCID: "vpc-1", AvailabilityZone: "az1",
			}}}, got)
			r := mux.last(t)
			testMethod(t, r, "GET")
			testPath(t, r, testPrefix+"/desktop-pools")
			testQuery(t, r, tt.wantQuery)
			testNoBody(t, r)
			testHeader(t, r, "X-Auth-Token", testToken)
		})
	}
}

func TestDesktopPoolsService_Get(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools/pool%2F1", respond(http.StatusOK, `{"id": "pool/1", "isolation_num": 2,
		"data_volumes": [{"id": "v1", "type": "SAS", "size": 10, "kms_id": "k1", "throughput": 125, "resource_spec_code": "SAS"}],
		"status": "SOMETHING_NEW", "type": null, "created_time": "", "product": null, "root_volume": null}`))
	got, err := c.DesktopPools.Get(testContext(t), "pool/1")
	require.NoError(t, err)
	assert.Equal(t, &DesktopPool{ID: "pool/1", IsolationNum: 2, Status: "SOMETHING_NEW",
		DataVolumes: []VolumeInfo{{ID: "v1", Type: "SAS", Size: 10, KMSID: "k1", Throughput: 125, ResourceSpecCode: "SAS"}}}, got,
		"null and empty values decode to zero; an unknown status is kept")
	r := mux.last(t)
	testMethod(t, r, "GET")
	testPath(t, r, testPrefix+"/desktop-pools/pool%2F1")
	testNoBody(t, r)
}

// The API answers a missing pool with 400 WKS.0001; it is ErrNotFound (and
// ErrBadRequest) all the same, for Get and every other pool operation.
func TestDesktopPoolsMissingPoolIsNotFound(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handleAny(respond(http.StatusBadRequest, `{"error_code": "WKS.0001", "error_msg": "The desktop pool does not exist."}`))
	ctx := testContext(t)
	for name, call := range map[string]func() error{
		"Get":          func() error { _, err := c.DesktopPools.Get(ctx, "p1"); return err },
		"ListDesktops": func() error { _, err := c.DesktopPools.ListDesktops(ctx, "p1", nil); return err },
		"Statistics":   func() error { _, err := c.DesktopPools.GetInconsistentStatistics(ctx, "p1"); return err },
		"Rebuild": func() error {
			_, err := c.DesktopPools.Rebuild(ctx, "p1", &RebuildDesktopPoolRequest{ImageID: "i"})
			return err
		},
	} {
		err := call()
		assert.ErrorIs(t, err, ErrNotFound, name)
		assert.ErrorIs(t, err, ErrBadRequest, name)
	}
	// The same code elsewhere (not naming one pool) is no "not found".
	_, err := c.DesktopPools.List(ctx, nil)
	assert.ErrorIs(t, err, ErrBadRequest)
	assert.NotErrorIs(t, err, ErrNotFound)
	_, err = c.DesktopPools.ListScriptExecutionTasks(ctx, nil)
	assert.NotErrorIs(t, err, ErrNotFound)
}

func TestDesktopPoolsService_ListDesktops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *ListPoolDesktopsOptions
		wantQuery url.Values
	}{
		{name: "nil opts", opts: nil},
		{
			name: "every filter, lists repeated",
			opts: &ListPoolDesktopsOptions{
				InconsistentType: InconsistentTypeImageID, Status: DesktopStatusActive,
				UserNames: []string{"alice", "bob"}, ComputerNames: []string{"FIN-01"}, DesktopIDs: []string{"d1", "d2"},
				DesktopIP: "10.0.0.1", ImageID: "img", SubnetID: "sub", AvailabilityZone: "az",
				TagFilter: "k1=v1,k2=v2", DesktopType: DesktopTypePooled,
				UserAttached: boolPtr(true), InMaintenanceMode: boolPtr(false), Isolated: boolPtr(true),
				SortField: DesktopSortComputerName, SortType: SortTypeDesc, Offset: 5, Limit: 100,
			},
			wantQuery: url.Values{
				"inconsistent_type": {"IMAGE_ID"}, "status": {"ACTIVE"}, "user_names": {"alice", "bob"},
				"computer_names": {"FIN-01"}, "desktop_id": {"d1", "d2"}, "desktop_ip": {"10.0.0.1"},
				"image_id": {"img"}, "subnet_id": {"sub"}, "availability_zone": {"az"}, "tag": {"k1=v1,k2=v2"},
				"desktop_type": {"POOLED"}, "user_attached": {"true"}, "in_maintenance_mode": {"false"},
				"isolated": {"true"}, "sort_field": {"computer_name"}, "sort_type": {"DESC"},
				"offset": {"5"}, "limit": {"100"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/desktop-pools/p1/desktops", respond(http.StatusOK, `{"total_count": 1, "pool_desktops": [{
				"desktop_id": "d1", "computer_name": "FIN-01", "os_host_name": "fin-01", "sid": "S-1",
				"desktop_type": "POOLED", "status": "ACTIVE", "task_status": "rebuilding", "process": 40,
				"login_status": "CONNECTED", "attach_state": "ATTACHED", "product_id": "prod",
				"flavor": {"id": "fl"}, "metadata": {"metering.image_id": "img-old", "image_name": "Win10", "os_type": "Windows"},
				"os_version": "10", "ip_addresses": ["10.0.0.1"], "ipv4": "10.0.0.1", "user_name": "alice",
				"attach_user_infos": [{"user_id": "u1", "user_name": "alice", "user_group": "users", "type": "USER"}],
				"created": "2024-01-02T03:04:05Z",
				"root_volume": {"id": "r1", "type": "SAS", "size": 80, "device": "/dev/vda"},
				"data_volumes": [{"id": "dv1", "volume_id": "ev1", "desktop_pool_disk_id": "v1", "type": "SSD", "size": 100,
				  "display_name": "data", "create_time": "2024-01-02T03:04:05.000Z"}],
				"tags": [], "in_maintenance_mode": true, "isolated": false, "inconsistent_types": ["IMAGE"],
				"internet_mode": "NAT", "unknown_field": {"nested": [1, 2]}}]}`))
			got, err := c.DesktopPools.ListDesktops(testContext(t), "p1", tt.opts)
			require.NoError(t, err)
			forty := 40
			created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
			assert.Equal(t, &Page[Desktop]{TotalCount: 1, Items: []Desktop{{
				ID: "d1", Name: "FIN-01", HostName: "fin-01", SID: "S-1", PoolID: "p1", Type: DesktopTypePooled,
				Status: DesktopStatusActive, TaskState: "rebuilding", Process: &forty, LoginStatus: LoginStatusConnected,
				AttachState: AttachStateAttached, ProductID: "prod", FlavorID: "fl", ImageID: "img-old", ImageName: "Win10",
				OSType: "Windows", OSVersion: "10", IPAddresses: []string{"10.0.0.1"}, IPv4: "10.0.0.1", UserName: "alice",
				AttachedUsers: []AttachedUser{{ID: "u1", Name: "alice", Group: "users", Type: AttachedUserTypeUser}},
				CreateTime:    created,
				RootVolume:    DesktopVolume{ID: "r1", Type: "SAS", Size: 80, Device: "/dev/vda"},
				DataVolumes: []DesktopVolume{{ID: "dv1", VolumeID: "ev1", PoolVolumeID: "v1", Type: "SSD", Size: 100,
					Name: "data", CreateTime: created}},
				Tags: []Tag{}, InMaintenanceMode: true, InconsistentTypes: []string{"IMAGE"},
			}}}, got)
			r := mux.last(t)
			testMethod(t, r, "GET")
			testPath(t, r, testPrefix+"/desktop-pools/p1/desktops")
			testQuery(t, r, tt.wantQuery)
			testNoBody(t, r)
		})
	}
}

func TestDesktopPoolsService_AllDesktopsPages(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools/p1/desktops", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("offset") {
		case "":
			writeJSON(w, http.StatusOK, `{"total_count": 3, "pool_desktops": [{"desktop_id": "d1"}, {"desktop_id": "d2"}]}`)
		default:
			writeJSON(w, http.StatusOK, `{"total_count": 3, "pool_desktops": [{"desktop_id": "d3"}]}`)
		}
	})
	var ids []string
	for d, err := range c.DesktopPools.AllDesktops(testContext(t), "p1", &ListPoolDesktopsOptions{Limit: 2}) {
		require.NoError(t, err)
		assert.Equal(t, "p1", d.PoolID)
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{"d1", "d2", "d3"}, ids)
}

func TestDesktopPoolsService_Rebuild(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  *RebuildDesktopPoolRequest
		want string
	}{
		{name: "image only", req: &RebuildDesktopPoolRequest{ImageID: "img-1"}, want: `{"image_id":"img-1"}`},
		{
			name: "every field",
			req: &RebuildDesktopPoolRequest{
				ImageID: "img-1", ImageType: ImageTypePrivate, OSType: OSTypeWindows, DelayTime: 15,
				Message: "save your work", IsFix: true, HandleType: VolumeHandleForExpandAndAll,
				EncryptType: EncryptTypeEncrypted, KMSID: "kms-1", DesktopIDs: []string{"d1"},
			},
			want: `{"image_id":"img-1","image_type":"private","os_type":"Windows","delay_time":15,"message":"save your work",
				"is_fix":true,"handle_type":"FOR_EXPAND_AND_ALL","encrypt_type":"ENCRYPTED","kms_id":"kms-1","desktop_ids":["d1"]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/desktop-pools/p1/rebuild", respond(http.StatusOK, `{"job_id": "job-1"}`))
			got, err := c.DesktopPools.Rebuild(testContext(t), "p1", tt.req)
			require.NoError(t, err)
			assert.Equal(t, &RebuildDesktopPoolResult{JobID: "job-1"}, got)
			r := mux.last(t)
			testMethod(t, r, "POST")
			testPath(t, r, testPrefix+"/desktop-pools/p1/rebuild")
			testJSONBody(t, r, tt.want)
		})
	}
}

func TestDesktopPoolsService_BatchAddVolumes(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools/p1/volumes/batch-add", respond(http.StatusOK, `{"job_id": "job-2"}`))
	got, err := c.DesktopPools.BatchAddVolumes(testContext(t), "p1", &BatchAddVolumesRequest{
		Volumes:    []VolumeInfo{{Type: VolumeTypeSAS, Size: 10}, {Type: VolumeTypeGPSSD, Size: 32760, IOPS: 3000, Throughput: 125, KMSID: "k"}},
		HandleType: VolumeHandleForExpandAndIdle, DesktopIDs: []string{"d1"},
	})
	require.NoError(t, err)
	assert.Equal(t, &BatchAddVolumesResult{JobID: "job-2"}, got)
	r := mux.last(t)
	testMethod(t, r, "POST")
	testPath(t, r, testPrefix+"/desktop-pools/p1/volumes/batch-add")
	testJSONBody(t, r, `{"volumes":[{"type":"SAS","size":10},{"type":"GPSSD","size":32760,"iops":3000,"throughput":125,"kms_id":"k"}],
		"handle_type":"FOR_EXPAND_AND_IDLE","desktop_ids":["d1"]}`)
}

func TestDesktopPoolsService_ExecuteScripts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  *ExecuteScriptsRequest
		want string
	}{
		{name: "scripts", req: &ExecuteScriptsRequest{ScriptIDs: []string{"s1", "s2"}}, want: `{"script_ids":["s1","s2"]}`},
		{
			name: "a command, every field",
			req: &ExecuteScriptsRequest{
				CommandContent: "ipconfig", CommandType: CommandTypeBat, DesktopIDs: []string{"d1", "d2"},
				GrayCount: 1, GrayDesktopIDs: []string{"d1"}, GrayFailThreshold: 1, PreStart: "pre",
				PostFinish: PostFinishReboot, ExecutionTimeout: 5,
			},
			want: `{"command_content":"ipconfig","command_type":"BAT","desktop_ids":["d1","d2"],"gray_count":1,
				"gray_desktop_ids":["d1"],"gray_fail_threshold":1,"pre_start":"pre","post_finish":"reboot","execution_timeout":5}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/desktop-pools/p1/script-executions", respond(http.StatusOK, `{"task_id": "task-1"}`))
			got, err := c.DesktopPools.ExecuteScripts(testContext(t), "p1", tt.req)
			require.NoError(t, err)
			assert.Equal(t, &ExecuteScriptsResult{TaskID: "task-1"}, got)
			r := mux.last(t)
			testMethod(t, r, "POST")
			testPath(t, r, testPrefix+"/desktop-pools/p1/script-executions")
			testJSONBody(t, r, tt.want)
		})
	}
}

// Every input of the new pool operations is checked before anything is
// sent, and the error names the field.
func TestDesktopPoolsWorkflowValidation(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	ctx := testContext(t)
	var nilCtx context.Context // a nil context, as a careless caller would pass
	vol := []VolumeInfo{{Type: "SAS", Size: 10}}
	many := func(n int) []string {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = "x"
		}
		return ids
	}
	tests := []struct {
		field string
		call  func() error
	}{
		{"ctx", func() error { _, err := c.DesktopPools.List(nilCtx, nil); return err }},
		{"opts.Limit", func() error { _, err := c.DesktopPools.List(ctx, &ListDesktopPoolsOptions{Limit: 1001}); return err }},
		{"opts.Offset", func() error { _, err := c.DesktopPools.List(ctx, &ListDesktopPoolsOptions{Offset: -1}); return err }},
		{"poolID", func() error { _, err := c.DesktopPools.Get(ctx, " "); return err }},
		{"ctx", func() error { _, err := c.DesktopPools.Get(nilCtx, "p1"); return err }},
		{"poolID", func() error { _, err := c.DesktopPools.ListDesktops(ctx, "", nil); return err }},
		{"opts.Limit", func() error {
			_, err := c.DesktopPools.ListDesktops(ctx, "p1", &ListPoolDesktopsOptions{Limit: 101})
			return err
		}},
		{"opts.SortType", func() error {
			_, err := c.DesktopPools.ListDesktops(ctx, "p1", &ListPoolDesktopsOptions{SortField: DesktopSortCreated})
			return err
		}},
		{"opts.SortField", func() error {
			_, err := c.DesktopPools.ListDesktops(ctx, "p1", &ListPoolDesktopsOptions{SortType: SortTypeAsc})
			return err
		}},
		{"opts.UserNames", func() error {
			_, err := c.DesktopPools.ListDesktops(ctx, "p1", &ListPoolDesktopsOptions{UserNames: many(101)})
			return err
		}},
		{"opts.ComputerNames[1]", func() error {
			_, err := c.DesktopPools.ListDesktops(ctx, "p1", &ListPoolDesktopsOptions{ComputerNames: []string{"a", ""}})
			return err
		}},
		{"opts.DesktopIDs", func() error {
			_, err := c.DesktopPools.ListDesktops(ctx, "p1", &ListPoolDesktopsOptions{DesktopIDs: many(101)})
			return err
		}},
		{"req", func() error { _, err := c.DesktopPools.Rebuild(ctx, "p1", nil); return err }},
		{"poolID", func() error {
			_, err := c.DesktopPools.Rebuild(ctx, "", &RebuildDesktopPoolRequest{ImageID: "i"})
			return err
		}},
		{"req.ImageID", func() error { _, err := c.DesktopPools.Rebuild(ctx, "p1", &RebuildDesktopPoolRequest{}); return err }},
		{"req.DelayTime", func() error {
			_, err := c.DesktopPools.Rebuild(ctx, "p1", &RebuildDesktopPoolRequest{ImageID: "i", DelayTime: 16})
			return err
		}},
		{"req.DelayTime", func() error {
			_, err := c.DesktopPools.Rebuild(ctx, "p1", &RebuildDesktopPoolRequest{ImageID: "i", DelayTime: -1})
			return err
		}},
		{"req.Message", func() error {
			_, err := c.DesktopPools.Rebuild(ctx, "p1", &RebuildDesktopPoolRequest{ImageID: "i", Message: strings.Repeat("é", 401)})
			return err
		}},
		{"req.KMSID", func() error {
			_, err := c.DesktopPools.Rebuild(ctx, "p1", &RebuildDesktopPoolRequest{ImageID: "i", EncryptType: EncryptTypeEncrypted})
			return err
		}},
		{"req.DesktopIDs[0]", func() error {
			_, err := c.DesktopPools.Rebuild(ctx, "p1", &RebuildDesktopPoolRequest{ImageID: "i", DesktopIDs: []string{""}})
			return err
		}},
		{"req", func() error { _, err := c.DesktopPools.BatchAddVolumes(ctx, "p1", nil); return err }},
		{"poolID", func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "", &BatchAddVolumesRequest{Volumes: vol})
			return err
		}},
		{"req.Volumes", func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "p1", &BatchAddVolumesRequest{})
			return err
		}},
		{"req.Volumes", func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "p1", &BatchAddVolumesRequest{Volumes: make([]VolumeInfo, 11)})
			return err
		}},
		{"req.Volumes[0].Type", func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "p1", &BatchAddVolumesRequest{Volumes: []VolumeInfo{{ID: "v1", Size: 10}}})
			return err
		}},
		{"req.Volumes[1].Size", func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "p1", &BatchAddVolumesRequest{Volumes: []VolumeInfo{vol[0], {Type: "SAS", Size: 9}}})
			return err
		}},
		{"req.Volumes[0].Size", func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "p1", &BatchAddVolumesRequest{Volumes: []VolumeInfo{{Type: "SAS", Size: 32761}}})
			return err
		}},
		{"req.Volumes[0].IOPS", func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "p1", &BatchAddVolumesRequest{Volumes: []VolumeInfo{{Type: "SAS", Size: 10, IOPS: -1}}})
			return err
		}},
		{"req.Volumes[0].Throughput", func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "p1", &BatchAddVolumesRequest{Volumes: []VolumeInfo{{Type: "SAS", Size: 10, Throughput: -1}}})
			return err
		}},
		{"req.DesktopIDs", func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "p1", &BatchAddVolumesRequest{Volumes: vol, DesktopIDs: many(101)})
			return err
		}},
		{"req.DesktopIDs[0]", func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "p1", &BatchAddVolumesRequest{Volumes: vol, DesktopIDs: []string{" "}})
			return err
		}},
		{"req", func() error { _, err := c.DesktopPools.ExecuteScripts(ctx, "p1", nil); return err }},
		{"poolID", func() error {
			_, err := c.DesktopPools.ExecuteScripts(ctx, "", &ExecuteScriptsRequest{ScriptIDs: []string{"s"}})
			return err
		}},
		{"req.ScriptIDs", func() error { _, err := c.DesktopPools.ExecuteScripts(ctx, "p1", &ExecuteScriptsRequest{}); return err }},
		{"req.CommandContent", func() error {
			_, err := c.DesktopPools.ExecuteScripts(ctx, "p1", &ExecuteScriptsRequest{ScriptIDs: []string{"s"}, CommandContent: "x", CommandType: CommandTypeBat})
			return err
		}},
		{"req.CommandType", func() error {
			_, err := c.DesktopPools.ExecuteScripts(ctx, "p1", &ExecuteScriptsRequest{CommandContent: "x"})
			return err
		}},
		{"req.GrayCount", func() error {
			_, err := c.DesktopPools.ExecuteScripts(ctx, "p1", &ExecuteScriptsRequest{ScriptIDs: []string{"s"}, GrayCount: -1})
			return err
		}},
		{"req.GrayFailThreshold", func() error {
			_, err := c.DesktopPools.ExecuteScripts(ctx, "p1", &ExecuteScriptsRequest{ScriptIDs: []string{"s"}, GrayFailThreshold: -1})
			return err
		}},
		{"req.ExecutionTimeout", func() error {
			_, err := c.DesktopPools.ExecuteScripts(ctx, "p1", &ExecuteScriptsRequest{ScriptIDs: []string{"s"}, ExecutionTimeout: -1})
			return err
		}},
		{"req.ScriptIDs[0]", func() error {
			_, err := c.DesktopPools.ExecuteScripts(ctx, "p1", &ExecuteScriptsRequest{ScriptIDs: []string{""}})
			return err
		}},
		{"req.GrayDesktopIDs[0]", func() error {
			_, err := c.DesktopPools.ExecuteScripts(ctx, "p1", &ExecuteScriptsRequest{ScriptIDs: []string{"s"}, GrayDesktopIDs: []string{""}})
			return err
		}},
	}
	for _, tt := range tests {
		err := tt.call()
		ve := errorAs[*ValidationError](t, err)
		assert.Equal(t, tt.field, ve.Field, "%v", err)
	}
	assert.Zero(t, mux.requests(), "nothing is sent")
}

// A job-starting write answered 2xx without the id of what it started
// (job_id, or ExecuteScripts' task_id) has lost that id: a *DecodeError
// that is ErrUnknownOutcome, sent once, never a result with an empty id
// that Jobs.Wait would refuse.
func TestWritesAnsweredWithoutAnIDAreUnknownOutcomes(t *testing.T) {
	t.Parallel()
	writes := []struct {
		name string
		call func(context.Context, *Client) (any, error)
	}{
		{"Rebuild", func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.Rebuild(ctx, "p1", &RebuildDesktopPoolRequest{ImageID: "img"})
		}},
		{"BatchAddVolumes", func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.BatchAddVolumes(ctx, "p1", &BatchAddVolumesRequest{Volumes: []VolumeInfo{{Type: "SSD", Size: 10}}})
		}},
		{"BatchDeleteVolumes", func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(ctx, "p1", &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "v1"}}})
		}},
		{"ExecuteScripts", func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.ExecuteScripts(ctx, "p1", &ExecuteScriptsRequest{ScriptIDs: []string{"s1"}})
		}},
		{"Snapshots.BatchCreate", func(ctx context.Context, c *Client) (any, error) {
			return c.Snapshots.BatchCreate(ctx, &BatchCreateSnapshotsRequest{DesktopIDs: []string{"d1"}})
		}},
		{"Snapshots.BatchDelete", func(ctx context.Context, c *Client) (any, error) {
			return c.Snapshots.BatchDelete(ctx, []string{"s1"})
		}},
		{"Snapshots.BatchRestore", func(ctx context.Context, c *Client) (any, error) {
			return c.Snapshots.BatchRestore(ctx, []string{"s1"})
		}},
	}
	bodies := []string{`{}`, `{"job_id": "", "task_id": ""}`, `{"job_id": null, "task_id": null}`, `{"job_id": " ", "task_id": "\t"}`, `{"jobId": "j1", "taskId": "t1"}`}
	for _, w := range writes {
		for _, body := range bodies {
			t.Run(w.name+" "+body, func(t *testing.T) {
				t.Parallel()
				c, mux := setup(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond}))
				mux.handleAny(respond(http.StatusOK, body))
				got, err := w.call(testContext(t), c)
				assert.True(t, isNilResult(got), "no result: %+v", got)
				errorAs[*DecodeError](t, err)
				assert.ErrorIs(t, err, ErrUnknownOutcome)
				assert.Equal(t, 1, mux.requests(), "a write whose outcome is unknown is not sent again")
			})
		}
	}
}
