package workspace

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const job1Path = testPrefix + "/workspace-jobs/job-1"

// jobServer answers GET /v2/{project}/workspace-jobs/job-1 with a script:
// answer n (0-based) is the status and body of poll n; polls past the end
// repeat the last answer.
type jobServer struct {
	t       *testing.T
	mux     *testMux
	path    string
	answers []pollAnswer

	mu    sync.Mutex
	polls []time.Time
}

type pollAnswer struct {
	status int
	body   string
}

// answerJob is a 200 answer with a job of the given status and sub-jobs.
func answerJob(status string, subStatuses ...string) pollAnswer {
	subs := make([]string, len(subStatuses))
	for i, st := range subStatuses {
		reason := ""
		if st != "SUCCESS" {
			reason = "volume is in use"
		}
		subs[i] = fmt.Sprintf(`{"id":"sub-%d","job_type":"DELETE_VOLUME","status":%q,"error_code":"","fail_reason":%q,"entities":{"desktop_id":"d-%d"}}`, i, st, reason, i)
	}
	return pollAnswer{status: http.StatusOK, body: fmt.Sprintf(
		`{"id":"job-1","job_type":"BATCH_DELETE_VOLUMES","status":%q,"begin_time":"2024-03-01T10:00:00Z","end_time":"","sub_jobs_total":%d,"sub_jobs":[%s]}`,
		status, len(subs), strings.Join(subs, ","))}
}

func answerStatus(code int) pollAnswer {
	return pollAnswer{status: code, body: fmt.Sprintf(`{"error_code":"WKS.%d","error_msg":"status %d"}`, code, code)}
}

func newJobServer(t *testing.T, answers ...pollAnswer) *jobServer {
	t.Helper()
	s := &jobServer{t: t, path: job1Path, answers: answers}
	_, s.mux = setup(t)
	s.mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.polls = append(s.polls, time.Now())
		n := len(s.polls) - 1
		s.mu.Unlock()
		if r.Method != http.MethodGet || r.URL.EscapedPath() != s.path || r.URL.RawQuery != "" || r.Header.Get("X-Auth-Token") != testToken {
			t.Errorf("unexpected request %s %s?%s", r.Method, r.URL.EscapedPath(), r.URL.RawQuery)
			w.WriteHeader(http.StatusTeapot)
			return
		}
		a := s.answers[min(n, len(s.answers)-1)]
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", fmt.Sprintf("req-%d", n))
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	})
	return s
}

func (s *jobServer) client(policy ...RetryPolicy) *Client {
	s.t.Helper()
	p := RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	if len(policy) > 0 {
		p = policy[0]
	}
	return s.mux.client(s.t, WithRetryPolicy(p))
}

func (s *jobServer) pollTimes() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.polls...)
}

const fullJobBody = `{
  "id": "job-1",
  "job_type": "BATCH_DELETE_VOLUMES",
  "begin_time": "2024-03-01T10:00:00Z",
  "end_time": "2024-03-01T10:05:30Z",
  "status": "FAILED",
  "job_error_code": "WKS.00010045",
  "fail_reason": "one volume could not be deleted",
  "sub_jobs_total": 2,
  "sub_jobs": [
    {
      "id": "sub-1",
      "job_type": "DELETE_VOLUME",
      "entities": {"desktop_id": "d-1", "product_id": "workspace.x86.ultimate.large2", "user_name": "alice", "desktop_name": "desk-1", "ip_address": "192.168.0.10"},
      "begin_time": "2024-03-01T10:00:01Z",
      "end_time": "2024-03-01T10:02:00Z",
      "status": "SUCCESS",
      "error_code": "",
      "fail_reason": "",
      "host": "host-a",
      "project_id": "proj-job",
      "job_id": "job-1",
      "process": 100
    },
    {
      "id": "sub-2",
      "job_type": "DELETE_VOLUME",
      "entities": {"desktop_id": "d-2", "product_id": "workspace.x86.ultimate.large2", "user_name": "bob", "desktop_name": "desk-2", "ip_address": "192.168.0.11"},
      "begin_time": "2024-03-01T10:00:02+08:00",
      "end_time": null,
      "status": "FAIL",
      "error_code": "WKS.00010046",
      "fail_reason": "volume is in use",
      "host": "host-b",
      "project_id": "proj-job",
      "job_id": "job-1",
      "process": "40",
      "an_unknown_field": {"kept": false}
    }
  ]
}`

func TestJobsGetDecodesEveryField(t *testing.T) {
	t.Parallel()
	s := newJobServer(t, pollAnswer{status: http.StatusOK, body: fullJobBody})
	job, err := s.client().Jobs.Get(context.Background(), "job-1")
	require.NoError(t, err)
	utc := func(h, m, sec int) time.Time { return time.Date(2024, 3, 1, h, m, sec, 0, time.UTC) }
	want := &Job{
		ID: "job-1", Type: "BATCH_DELETE_VOLUMES", Status: "FAILED",
		ErrorCode: "WKS.00010045", FailReason: "one volume could not be deleted",
		BeginTime: utc(10, 0, 0), EndTime: utc(10, 5, 30), SubJobsTotal: 2,
		SubJobs: []SubJob{
			{
				ID: "sub-1", Type: "DELETE_VOLUME", Status: "SUCCESS",
				BeginTime: utc(10, 0, 1), EndTime: utc(10, 2, 0),
				Host: "host-a", ProjectID: "proj-job", JobID: "job-1", Process: 100,
				DesktopID: "d-1", ProductID: "workspace.x86.ultimate.large2", UserName: "alice",
				DesktopName: "desk-1", IPAddress: "192.168.0.10",
			},
			{
				ID: "sub-2", Type: "DELETE_VOLUME", Status: "FAIL",
				ErrorCode: "WKS.00010046", FailReason: "volume is in use",
				BeginTime: utc(2, 0, 2), // 10:00:02+08:00
				Host:      "host-b", ProjectID: "proj-job", JobID: "job-1", Process: 40,
				DesktopID: "d-2", ProductID: "workspace.x86.ultimate.large2", UserName: "bob",
				DesktopName: "desk-2", IPAddress: "192.168.0.11",
			},
		},
	}
	assert.Equal(t, want, job)
	assert.Equal(t, time.UTC, job.SubJobs[1].BeginTime.Location())
	assert.Len(t, s.pollTimes(), 1)
}

func TestJobsGetTolerantFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		sub     string
		process int
	}{
		{name: "process number", sub: `"process": 50`, process: 50},
		{name: "process fraction", sub: `"process": 50.7`, process: 50},
		{name: "process string", sub: `"process": "75"`, process: 75},
		{name: "process percent", sub: `"process": "75%"`, process: 75},
		{name: "process null", sub: `"process": null`},
		{name: "process empty string", sub: `"process": ""`},
		{name: "process junk", sub: `"process": "n/a"`},
		{name: "process bool", sub: `"process": true`},
		{name: "process negative", sub: `"process": -3`},
		{name: "no process, no entities", sub: `"status": "SUCCESS"`},
		{name: "entities null", sub: `"entities": null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := `{"id":"job-1","status":"RUNNING","begin_time":null,"end_time":"","sub_jobs":[{"id":"s",` + tt.sub + `}]}`
			s := newJobServer(t, pollAnswer{status: http.StatusOK, body: body})
			job, err := s.client().Jobs.Get(context.Background(), "job-1")
			require.NoError(t, err)
			require.Len(t, job.SubJobs, 1)
			assert.Equal(t, tt.process, job.SubJobs[0].Process)
			assert.True(t, job.BeginTime.IsZero())
			assert.True(t, job.EndTime.IsZero())
			assert.Empty(t, job.SubJobs[0].DesktopID)
		})
	}
}

func TestJobsGetErrors(t *testing.T) {
	t.Parallel()
	t.Run("bad time is a DecodeError", func(t *testing.T) {
		t.Parallel()
		s := newJobServer(t, pollAnswer{status: http.StatusOK, body: `{"id":"job-1","begin_time":"yesterday"}`})
		_, err := s.client().Jobs.Get(context.Background(), "job-1")
		var de *DecodeError
		require.ErrorAs(t, err, &de)
		assert.Len(t, s.pollTimes(), 1, "a body that does not decode is not retried")
	})
	t.Run("id is one escaped path segment", func(t *testing.T) {
		t.Parallel()
		s := newJobServer(t, answerJob("SUCCESS"))
		s.path = testPrefix + "/workspace-jobs/a%2F..%3Fb"
		_, err := s.client().Jobs.Get(context.Background(), "a/..?b")
		require.NoError(t, err)
	})
	for _, id := range []string{"", "  "} {
		t.Run(fmt.Sprintf("job id %q", id), func(t *testing.T) {
			t.Parallel()
			s := newJobServer(t, answerJob("SUCCESS"))
			_, err := s.client().Jobs.Get(context.Background(), id)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "jobID", ve.Field)
			assert.Empty(t, s.pollTimes())
		})
	}
	t.Run("nil ctx", func(t *testing.T) {
		t.Parallel()
		s := newJobServer(t, answerJob("SUCCESS"))
		//lint:ignore SA1012 a nil context is what is tested
		_, err := s.client().Jobs.Get(nil, "job-1")
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "ctx", ve.Field)
		assert.Empty(t, s.pollTimes())
	})
}

func TestJobsWaitStates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		answers    []pollAnswer
		wantPolls  int
		wantStatus JobStatus
		wantFailed bool
	}{
		{name: "success at once", answers: []pollAnswer{answerJob("SUCCESS", "SUCCESS", "SUCCESS")}, wantPolls: 1, wantStatus: "SUCCESS"},
		{name: "complete at once", answers: []pollAnswer{answerJob("COMPLETE")}, wantPolls: 1, wantStatus: "COMPLETE"},
		{name: "lower case success", answers: []pollAnswer{answerJob("success")}, wantPolls: 1, wantStatus: "success"},
		{name: "running, running, success", answers: []pollAnswer{answerJob("RUNNING"), answerJob("RUNNING"), answerJob("SUCCESS")}, wantPolls: 3, wantStatus: "SUCCESS"},
		{name: "waiting, init, running, success", answers: []pollAnswer{answerJob("WAITING"), answerJob("INIT"), answerJob("RUNNING", "SUCCESS", "RUNNING"), answerJob("SUCCESS", "SUCCESS", "SUCCESS")}, wantPolls: 4, wantStatus: "SUCCESS"},
		{name: "unknown status counts as running", answers: []pollAnswer{answerJob("WEIRD"), answerJob(""), answerJob("SUCCESS")}, wantPolls: 3, wantStatus: "SUCCESS"},
		{name: "running with a failed sub-job keeps waiting", answers: []pollAnswer{answerJob("RUNNING", "FAIL", "RUNNING"), answerJob("SUCCESS", "SUCCESS", "SUCCESS")}, wantPolls: 2, wantStatus: "SUCCESS"},
		{name: "failed", answers: []pollAnswer{answerJob("FAILED")}, wantPolls: 1, wantStatus: "FAILED", wantFailed: true},
		{name: "running then fail", answers: []pollAnswer{answerJob("RUNNING"), answerJob("FAIL")}, wantPolls: 2, wantStatus: "FAIL", wantFailed: true},
		{name: "partly failed: done with a failed sub-job", answers: []pollAnswer{answerJob("RUNNING"), answerJob("SUCCESS", "SUCCESS", "FAILED")}, wantPolls: 2, wantStatus: "SUCCESS", wantFailed: true},
		{name: "partly failed: complete with an unfinished sub-job", answers: []pollAnswer{answerJob("COMPLETE", "RUNNING")}, wantPolls: 1, wantStatus: "COMPLETE", wantFailed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newJobServer(t, tt.answers...)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			job, err := s.client().Jobs.Wait(ctx, "job-1", &WaitOptions{Interval: 5 * time.Millisecond})
			require.NotNil(t, job)
			assert.Equal(t, tt.wantStatus, job.Status)
			assert.Len(t, s.pollTimes(), tt.wantPolls)
			if !tt.wantFailed {
				assert.NoError(t, err)
				return
			}
			var jfe *JobFailedError
			require.ErrorAs(t, err, &jfe)
			assert.Same(t, job, jfe.Job)
			assert.Contains(t, err.Error(), "job-1")
		})
	}
}

func TestJobsWaitPollsAtOnceThenEveryInterval(t *testing.T) {
	t.Parallel()
	t.Run("no wait before the first poll", func(t *testing.T) {
		t.Parallel()
		s := newJobServer(t, answerJob("SUCCESS"))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// An hour's interval: any sleep before the first poll would hit the deadline.
		job, err := s.client().Jobs.Wait(ctx, "job-1", &WaitOptions{Interval: time.Hour})
		require.NoError(t, err)
		assert.Equal(t, JobStatusSuccess, job.Status)
		assert.Len(t, s.pollTimes(), 1)
	})
	t.Run("default interval, done at once", func(t *testing.T) {
		t.Parallel()
		s := newJobServer(t, answerJob("SUCCESS"))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := s.client().Jobs.Wait(ctx, "job-1", nil)
		require.NoError(t, err)
		_, err = s.client().Jobs.Wait(ctx, "job-1", &WaitOptions{})
		require.NoError(t, err)
		assert.Len(t, s.pollTimes(), 2)
	})
	t.Run("interval between polls", func(t *testing.T) {
		t.Parallel()
		const interval = 30 * time.Millisecond
		s := newJobServer(t, answerJob("RUNNING"), answerJob("RUNNING"), answerJob("SUCCESS"))
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := s.client().Jobs.Wait(ctx, "job-1", &WaitOptions{Interval: interval})
		require.NoError(t, err)
		polls := s.pollTimes()
		require.Len(t, polls, 3)
		for i := 1; i < len(polls); i++ {
			assert.GreaterOrEqual(t, polls[i].Sub(polls[i-1]), interval, "gap before poll %d", i)
		}
		assert.GreaterOrEqual(t, time.Since(start), 2*interval)
	})
}

func TestJobsWaitContext(t *testing.T) {
	t.Parallel()
	t.Run("deadline while running", func(t *testing.T) {
		t.Parallel()
		s := newJobServer(t, answerJob("RUNNING"))
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		job, err := s.client().Jobs.Wait(ctx, "job-1", &WaitOptions{Interval: 5 * time.Millisecond})
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorAs(t, err, new(*JobFailedError))
		if assert.NotNil(t, job, "the last job seen comes with the error") {
			assert.Equal(t, JobStatusRunning, job.Status)
		}
		assert.GreaterOrEqual(t, len(s.pollTimes()), 2)
	})
	t.Run("deadline during a long interval returns at once", func(t *testing.T) {
		t.Parallel()
		s := newJobServer(t, answerJob("INIT"))
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := s.client().Jobs.Wait(ctx, "job-1", &WaitOptions{Interval: time.Hour})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Len(t, s.pollTimes(), 1)
	})
	t.Run("cancelled before the first poll", func(t *testing.T) {
		t.Parallel()
		s := newJobServer(t, answerJob("SUCCESS"))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		job, err := s.client().Jobs.Wait(ctx, "job-1", nil)
		assert.Nil(t, job)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, s.pollTimes())
	})
}

func TestJobsWaitErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		answers   []pollAnswer
		wantIs    error
		wantPolls int
		wantJob   bool // the last job seen comes with the error
	}{
		{name: "404 at once, not retried", answers: []pollAnswer{answerStatus(404)}, wantIs: ErrNotFound, wantPolls: 1},
		{name: "404 after running", answers: []pollAnswer{answerJob("RUNNING"), answerStatus(404)}, wantIs: ErrNotFound, wantPolls: 2, wantJob: true},
		{name: "403", answers: []pollAnswer{answerStatus(403)}, wantIs: ErrForbidden, wantPolls: 1},
		{name: "503 until the retries run out", answers: []pollAnswer{answerJob("RUNNING"), answerStatus(503)}, wantIs: ErrServer, wantPolls: 4, wantJob: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newJobServer(t, tt.answers...)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			job, err := s.client().Jobs.Wait(ctx, "job-1", &WaitOptions{Interval: 5 * time.Millisecond})
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.ErrorIs(t, err, tt.wantIs)
			assert.Equal(t, job1Path, ae.Path)
			assert.Len(t, s.pollTimes(), tt.wantPolls)
			assert.Equal(t, tt.wantJob, job != nil)
		})
	}
}

func TestJobsWaitRetriesTransientErrors(t *testing.T) {
	t.Parallel()
	s := newJobServer(t, answerJob("RUNNING"), answerStatus(503), answerStatus(502), answerJob("RUNNING"), answerStatus(429), answerJob("SUCCESS"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	job, err := s.client().Jobs.Wait(ctx, "job-1", &WaitOptions{Interval: 5 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, JobStatusSuccess, job.Status)
	assert.Len(t, s.pollTimes(), 6)
}

func TestJobsWaitValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		ctx       context.Context
		id        string
		opts      *WaitOptions
		wantField string
	}{
		{name: "negative interval", ctx: context.Background(), id: "job-1", opts: &WaitOptions{Interval: -time.Second}, wantField: "opts.Interval"},
		{name: "empty id", ctx: context.Background(), id: "", wantField: "jobID"},
		{name: "nil ctx", ctx: nil, id: "job-1", wantField: "ctx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newJobServer(t, answerJob("SUCCESS"))
			job, err := s.client().Jobs.Wait(tt.ctx, tt.id, tt.opts)
			assert.Nil(t, job)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantField, ve.Field)
			assert.Empty(t, s.pollTimes(), "no request is sent")
		})
	}
}

func TestJobFailedErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		answer  pollAnswer
		want    []string
		wantNot []string
	}{
		{
			name:   "failed job with its own reason",
			answer: pollAnswer{status: http.StatusOK, body: `{"id":"job-1","status":"FAILED","job_error_code":"WKS.00010045","fail_reason":"quota exceeded"}`},
			want:   []string{"job-1", "FAILED", "WKS.00010045", "quota exceeded"},
		},
		{
			name:    "partly failed: the sub-job's reason",
			answer:  answerJob("SUCCESS", "SUCCESS", "FAIL", "FAILED"),
			want:    []string{"job-1", "SUCCESS", "2 of 3 sub-jobs", "volume is in use"},
			wantNot: []string{"d-0"},
		},
		{
			name:   "very long reason is clipped",
			answer: pollAnswer{status: http.StatusOK, body: `{"id":"job-1","status":"FAIL","fail_reason":"` + strings.Repeat("x", 5000) + `"}`},
			want:   []string{"job-1", "FAIL", "xxx"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newJobServer(t, tt.answer)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := s.client().Jobs.Wait(ctx, "job-1", nil)
			var jfe *JobFailedError
			require.ErrorAs(t, err, &jfe)
			msg := err.Error()
			for _, w := range tt.want {
				assert.Contains(t, msg, w)
			}
			for _, w := range tt.wantNot {
				assert.NotContains(t, msg, w)
			}
			assert.Less(t, len(msg), 1000)
			for _, out := range []string{msg, fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%+v", *jfe.Job)} {
				assert.NotContains(t, out, testToken)
			}
		})
	}
	assert.Equal(t, "workspace: job failed", (&JobFailedError{}).Error())
	assert.True(t, errors.As(fmt.Errorf("wrapped: %w", &JobFailedError{Job: &Job{ID: "j"}}), new(*JobFailedError)))
}

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
			 "entities":{"desktop_id":"d1","product_id":"prod","user_name":"alice","desktop_name":"alice-pc","ip_address":"10.0.0.1"},
			 "attach_user":"alice","entity":"volume v-1 of alice-pc","ip_address":"10.0.0.9","desktop_name":"alice-pc-2",
			 "mac_address":"fa:16:3e:00:00:01","message":"deleted"},
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
				AttachUser: "alice", Entity: "volume v-1 of alice-pc", SubJobIPAddress: "10.0.0.9",
				SubJobDesktopName: "alice-pc-2", MACAddress: "fa:16:3e:00:00:01", Message: "deleted",
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

func TestWithWaitInterval(t *testing.T) {
	t.Parallel()
	const interval = 20 * time.Millisecond
	tests := []struct {
		name    string
		opts    *WaitOptions
		minGap  time.Duration
		maxWait time.Duration
	}{
		{"nil options take the client's interval", nil, interval, 5 * time.Second},
		{"a zero Interval takes the client's interval", &WaitOptions{}, interval, 5 * time.Second},
		{"an Interval in the call wins", &WaitOptions{Interval: 2 * interval}, 2 * interval, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newJobServer(t, answerJob("RUNNING"), answerJob("RUNNING"), answerJob("SUCCESS"))
			c := s.mux.client(t, WithRetryPolicy(RetryPolicy{}), WithWaitInterval(interval)) // default retries
			// Far below defaultWaitInterval (10 s): a default poll would hit the deadline.
			ctx, cancel := context.WithTimeout(context.Background(), tt.maxWait)
			defer cancel()
			job, err := c.Jobs.Wait(ctx, "job-1", tt.opts)
			require.NoError(t, err)
			assert.Equal(t, JobStatusSuccess, job.Status)
			polls := s.pollTimes()
			require.Len(t, polls, 3)
			for i := 1; i < len(polls); i++ {
				assert.GreaterOrEqual(t, polls[i].Sub(polls[i-1]), tt.minGap, "gap before poll %d", i)
			}
		})
	}
}

func TestWithWaitIntervalRejectsNonPositive(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, -time.Second} {
		_, err := NewClient(WithEndpoint("http://127.0.0.1:1"), WithProjectID("p"), WithToken("t"), WithWaitInterval(d))
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "WithWaitInterval(%v)", d)
		assert.Equal(t, "waitInterval", ve.Field)
	}
}

func TestJobsService_ListSubJobs(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/workspace-sub-jobs", respond(http.StatusOK, `{"total_count": 2, "jobs": [
		{"id": "s1", "job_type": "rebuildDesktops", "status": "SUCCESS", "process": 100, "job_id": "job-1",
		 "entities": {"desktop_id": "d1"}, "begin_time": "2024-01-02T03:04:05Z", "end_time": null, "error_code": ""},
		{"id": "s2", "status": "SOMETHING_NEW", "process": "50%", "entities": null, "attach_user": "alice"}]}`))
	got, err := c.Jobs.ListSubJobs(testContext(t), &ListSubJobsOptions{
		JobID: "job-1", JobType: "rebuildDesktopPool", DesktopPoolID: "p1", Status: JobStatusSuccess, Offset: 2, Limit: 1000,
	})
	require.NoError(t, err)
	assert.Equal(t, &Page[SubJob]{TotalCount: 2, Items: []SubJob{
		{ID: "s1", Type: "rebuildDesktops", Status: JobStatusSuccess, Process: 100, JobID: "job-1", DesktopID: "d1",
			BeginTime: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{ID: "s2", Status: "SOMETHING_NEW", Process: 50, AttachUser: "alice"},
	}}, got)
	r := mux.last(t)
	testMethod(t, r, "GET")
	testPath(t, r, testPrefix+"/workspace-sub-jobs")
	testQuery(t, r, url.Values{"job_id": {"job-1"}, "job_type": {"rebuildDesktopPool"}, "desktop_pool_id": {"p1"},
		"status": {"SUCCESS"}, "offset": {"2"}, "limit": {"1000"}})
	testNoBody(t, r)
}

func TestJobsListSubJobsValidation(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	ctx := testContext(t)
	var nilCtx context.Context // a nil context, as a careless caller would pass
	for _, tt := range []struct {
		field string
		opts  *ListSubJobsOptions
		ctx   context.Context
	}{
		{"opts.JobID", nil, ctx},
		{"opts.JobID", &ListSubJobsOptions{DesktopPoolID: "p1"}, ctx},
		{"opts.Limit", &ListSubJobsOptions{JobID: "j", Limit: 1001}, ctx},
		{"opts.Offset", &ListSubJobsOptions{JobType: "t", Offset: -1}, ctx},
		{"ctx", &ListSubJobsOptions{JobID: "j"}, nilCtx},
	} {
		_, err := c.Jobs.ListSubJobs(tt.ctx, tt.opts)
		assert.Equal(t, tt.field, errorAs[*ValidationError](t, err).Field)
	}
	assert.Zero(t, mux.requests())
}

// subJobsServer answers a done job carrying the sub-jobs carried (of
// total) and lists listed at workspace-sub-jobs, in pages of the limit
// asked.
func subJobsServer(t *testing.T, status string, total int, carried, listed string) (*Client, *testMux) {
	c, mux := setup(t, WithWaitInterval(time.Millisecond))
	mux.handle("/workspace-jobs/job-1", respond(http.StatusOK, fmt.Sprintf(
		`{"id": "job-1", "status": %q, "sub_jobs_total": %d, "sub_jobs": [%s]}`, status, total, carried)))
	mux.handle("/workspace-sub-jobs", respond(http.StatusOK, fmt.Sprintf(`{"total_count": %d, "jobs": [%s]}`, total, listed)))
	return c, mux
}

func TestJobsWaitReadsEverySubJob(t *testing.T) {
	t.Parallel()
	c, mux := subJobsServer(t, "SUCCESS", 3, `{"id": "s1", "status": "SUCCESS"}`,
		`{"id": "s1", "status": "SUCCESS"}, {"id": "s2", "status": "SUCCESS"}, {"id": "s3", "status": "SUCCESS"}`)
	job, err := c.Jobs.Wait(testContext(t), "job-1", nil)
	require.NoError(t, err)
	var ids []string
	for _, sj := range job.SubJobs {
		ids = append(ids, sj.ID)
	}
	assert.Equal(t, []string{"s1", "s2", "s3"}, ids, "each sub-job once")
	var listed int
	for _, r := range mux.all() {
		if strings.HasSuffix(r.Path, "/workspace-sub-jobs") {
			listed++
			assert.Equal(t, "job-1", r.Query.Get("job_id"))
		}
	}
	assert.Equal(t, 1, listed)
}

func TestJobsWaitJudgesOnTheListedSubJobs(t *testing.T) {
	t.Parallel()
	c, _ := subJobsServer(t, "SUCCESS", 2, `{"id": "s1", "status": "SUCCESS"}`,
		`{"id": "s1", "status": "SUCCESS"}, {"id": "s2", "status": "FAILED", "error_code": "WKS.1"}`)
	job, err := c.Jobs.Wait(testContext(t), "job-1", nil)
	fe := errorAs[*JobFailedError](t, err)
	assert.Same(t, job, fe.Job)
	assert.Len(t, job.SubJobs, 2)
	assert.Contains(t, err.Error(), "WKS.1")
}

func TestJobsWaitListsNothingWhenTheAnswerCarriesEverySubJob(t *testing.T) {
	t.Parallel()
	c, mux := subJobsServer(t, "SUCCESS", 1, `{"id": "s1", "status": "SUCCESS"}`, ``)
	_, err := c.Jobs.Wait(testContext(t), "job-1", nil)
	require.NoError(t, err)
	assert.Equal(t, 1, mux.requests())
}

func TestJobsWaitReturnsTheJobWhenTheSubJobListFails(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/workspace-jobs/job-1", respond(http.StatusOK, `{"id": "job-1", "status": "SUCCESS", "sub_jobs_total": 5, "sub_jobs": []}`))
	mux.handle("/workspace-sub-jobs", respond(http.StatusForbidden, `{"error_code": "WKS.403", "error_msg": "no"}`))
	job, err := c.Jobs.Wait(testContext(t), "job-1", nil)
	assert.ErrorIs(t, err, ErrForbidden)
	require.NotNil(t, job)
	assert.Equal(t, "job-1", job.ID)
}

// subJobItems is n listed sub-jobs of status SUCCESS, s0 to s(n-1), or
// without ids (told apart by their desktop) when withIDs is false.
func subJobItems(n int, withIDs bool) string {
	items := make([]string, n)
	for i := range items {
		if withIDs {
			items[i] = fmt.Sprintf(`{"id": "s%d", "status": "SUCCESS"}`, i)
		} else {
			items[i] = fmt.Sprintf(`{"status": "SUCCESS", "entities": {"desktop_id": "d%d"}}`, i)
		}
	}
	return strings.Join(items, ",")
}

// A done job whose sub_jobs_total or whose sub-job listing lies is judged
// on the sub-jobs listed, each once, in a bounded number of requests and
// without sizing anything by the claimed total.
func TestJobsWaitSurvivesALyingSubJobCount(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		total   int // sub_jobs_total of the job and total_count of every page
		carried string
		listed  string // every page, whatever its offset
		want    int    // sub-jobs of the returned job
		repeats bool   // the listing ends with the error of a page that repeats the one before it
	}{
		{"a total far beyond memory", 1 << 62, `{"id": "s0", "status": "SUCCESS"}`, subJobItems(2, true), 2, false},
		{"a total beyond int32", 1 << 40, ``, subJobItems(3, true), 3, false},
		{"a total of a million", 1 << 20, ``, subJobItems(3, true), 3, false},
		{"the same full page again and again", 1 << 40, ``, subJobItems(MaxSubJobsLimit, true), 0, true},
		{"the same full page of id-less sub-jobs again", 1 << 40, ``, subJobItems(MaxSubJobsLimit, false), MaxSubJobsLimit, false},
		{"an id-less sub-job carried and listed", 2, `{"status": "SUCCESS", "entities": {"desktop_id": "d0"}}`, subJobItems(1, false), 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := subJobsServer(t, "SUCCESS", tt.total, tt.carried, tt.listed)
			var job *Job
			var err error
			finishesWithin(t, 5*time.Second, func() { job, err = c.Jobs.Wait(testContext(t), "job-1", nil) })
			if tt.repeats {
				// Every All iterator ends so (API.md); Wait says why.
				require.Error(t, err)
				assert.Contains(t, err.Error(), "repeats the page before it")
			} else {
				require.NoError(t, err)
				assert.Len(t, job.SubJobs, tt.want, "each sub-job once")
			}
			// One poll, the first page, and at most the pages fetched
			// ahead of it before the listing ends where it repeats itself.
			assert.LessOrEqual(t, mux.requests(), 2+defaultConcurrency, "a listing that ends when it repeats itself")
		})
	}
}

// A sub-job listing that ignores the job_id filter does not make Wait
// judge the job on another job's sub-jobs.
func TestJobsWaitLeavesOutAnotherJobsSubJobs(t *testing.T) {
	t.Parallel()
	c, _ := subJobsServer(t, "SUCCESS", 2, `{"id": "s1", "status": "SUCCESS", "job_id": "job-1"}`,
		`{"id": "s1", "status": "SUCCESS", "job_id": "job-1"}, {"id": "x9", "status": "FAILED", "job_id": "job-2"}, {"id": "s2", "status": "SUCCESS"}`)
	job, err := c.Jobs.Wait(testContext(t), "job-1", nil)
	require.NoError(t, err)
	var ids []string
	for _, sj := range job.SubJobs {
		ids = append(ids, sj.ID)
	}
	assert.Equal(t, []string{"s1", "s2"}, ids)
}

// A job that claims more sub-jobs than memory holds is waited for like
// any other: the claim sizes nothing, the sub-job list answers.
func TestJobsWaitSurvivesAHugeSubJobsTotal(t *testing.T) {
	t.Parallel()
	for _, total := range []int{1 << 40, 1 << 50, math.MaxInt64} {
		t.Run(strconv.Itoa(total), func(t *testing.T) {
			t.Parallel()
			c, _ := subJobsServer(t, "FAILED", total, ``, `{"id": "s1", "status": "FAILED", "error_code": "WKS.1"}`)
			var job *Job
			var err error
			require.NotPanics(t, func() { job, err = c.Jobs.Wait(testContext(t), "job-1", nil) })
			errorAs[*JobFailedError](t, err)
			require.NotNil(t, job)
			require.Len(t, job.SubJobs, 1)
			assert.Equal(t, "s1", job.SubJobs[0].ID)
		})
	}
}
