package workspace

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJobsService_Get_Request(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/workspace-jobs/abc85365-0b2e-4b4f-a091-f7db72072d4b", respond(http.StatusOK, `{
		"id":"abc85365-0b2e-4b4f-a091-f7db72072d4b","job_type":"BATCH_DELETE_POOL_VOLUMES",
		"begin_time":"2024-04-20T08:36:16Z","end_time":"2024-04-20T16:40:00+08:00",
		"status":"SUCCESS","job_error_code":"","fail_reason":"","sub_jobs_total":3,
		"sub_jobs":[
			{"id":"s1","job_type":"DELETE_VOLUME","status":"SUCCESS","error_code":"","fail_reason":"",
			 "begin_time":"2024-04-20T08:36:17Z","end_time":"","host":"h1","project_id":"p","job_id":"abc85365-0b2e-4b4f-a091-f7db72072d4b",
			 "process":100,
			 "entities":{"desktop_id":"d1","product_id":"prod","user_name":"alice","desktop_name":"alice-pc","ip_address":"10.0.0.1"}},
			{"id":"s2","status":"FAILED","error_code":"WKS.0042","fail_reason":"volume busy","process":"50"},
			{"id":"s3","status":"WHATEVER","process":null,"entities":null,"extra":1}
		]}`))

	job, err := c.Jobs.Get(testContext(t), "abc85365-0b2e-4b4f-a091-f7db72072d4b")
	require.NoError(t, err)

	r := mux.last(t)
	testMethod(t, r, "GET")
	testPath(t, r, testPrefix+"/workspace-jobs/abc85365-0b2e-4b4f-a091-f7db72072d4b")
	testQuery(t, r, nil)
	testNoBody(t, r)
	testHeader(t, r, "X-Auth-Token", testToken)

	assert.Equal(t, &Job{
		ID: "abc85365-0b2e-4b4f-a091-f7db72072d4b", Type: "BATCH_DELETE_POOL_VOLUMES", Status: "SUCCESS",
		BeginTime:    time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC),
		EndTime:      time.Date(2024, 4, 20, 8, 40, 0, 0, time.UTC),
		SubJobsTotal: 3,
		SubJobs: []SubJob{
			{
				ID: "s1", Type: "DELETE_VOLUME", Status: "SUCCESS",
				BeginTime: time.Date(2024, 4, 20, 8, 36, 17, 0, time.UTC),
				Host:      "h1", ProjectID: "p", JobID: "abc85365-0b2e-4b4f-a091-f7db72072d4b", Process: 100,
				DesktopID: "d1", ProductID: "prod", UserName: "alice", DesktopName: "alice-pc", IPAddress: "10.0.0.1",
			},
			{ID: "s2", Status: "FAILED", ErrorCode: "WKS.0042", FailReason: "volume busy", Process: 50},
			{ID: "s3", Status: "WHATEVER"},
		},
	}, job)
}

func TestJobsService_Get_MinimalJob(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/workspace-jobs/j", respond(http.StatusOK, `{"id":"j","status":"RUNNING","begin_time":null}`))
	job, err := c.Jobs.Get(testContext(t), "j")
	require.NoError(t, err)
	assert.Equal(t, &Job{ID: "j", Status: "RUNNING"}, job)
	assert.Nil(t, job.SubJobs)
}
