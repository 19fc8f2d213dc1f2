package workspacetest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/wire"
)

// Error codes the fake answers with. The APIGW codes are the gateway's
// (see the spec); the WKS codes are the fake's choice.
const (
	ErrCodeBadParameter   = "WKS.00010001" // 400: a bad query parameter or body
	ErrCodePoolNotFound   = "WKS.0001"     // 400: no such desktop pool, as the API answers it (see the Terraform provider)
	ErrCodeJobNotFound    = "WKS.00010003" // 404: no such job
	ErrCodeVolumeNotFound = "WKS.00010004" // in a FAILED job: the pool has no such volume
	ErrCodeWrongProject   = "WKS.00010005" // 403: the path names another project than the credentials
	ErrCodeConflict       = "WKS.00010032" // 409: operation conflict (injected faults only)
	ErrCodeInternal       = "WKS.00000001" // 5xx (injected faults only)
	ErrCodeNoSuchAPI      = "APIGW.0101"   // 404: no such path or method
	ErrCodeBodyTooLarge   = "APIGW.0201"   // 413: body too large
	ErrCodeUnauthorized   = "APIGW.0301"   // 401: missing or bad token or signature, stale date
	ErrCodeThrottled      = "APIGW.0308"   // 429 (injected faults only)
)

// Limits the fake enforces beyond the library's Max* constants, as the
// API documents them.
const (
	maxBody               = 1 << 20
	defaultTasksLimit     = 10
	defaultSnapshotsLimit = 1000
)

// apiError is an error answer.
type apiError struct {
	status    int
	code, msg string
}

func badParam(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, ErrCodeBadParameter, fmt.Sprintf(format, args...)}
}

// route is a parsed request path.
type route struct {
	op        Operation
	projectID string
	poolID    string
	jobID     string
}

// parseRoute matches the escaped path segment by segment and unescapes the
// ids in it.
func parseRoute(method, escapedPath string) route {
	if op := identityOp(method, escapedPath); op != OpUnknown {
		return route{op: op}
	}
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	if len(segs) < 3 || segs[0] != "v2" {
		return route{}
	}
	var rt route
	var ok bool
	if rt.projectID, ok = unescape(segs[1]); !ok {
		return route{}
	}
	rest := segs[2:]
	is := func(m string, parts ...string) bool {
		if method != m || len(rest) != len(parts) {
			return false
		}
		for i, p := range parts {
			if p != "*" && p != rest[i] {
				return false
			}
		}
		return true
	}
	switch {
	case is("GET", "desktop-pools", "script-execution-tasks", "detail"):
		rt.op = OpListScriptExecutionTasks
	case is("GET", "desktop-pools", "*", "inconsistent-statics"):
		rt.op = OpGetInconsistentStatistics
		rt.poolID, ok = unescape(rest[1])
	case is("POST", "desktop-pools", "*", "volumes", "batch-delete"):
		rt.op = OpBatchDeleteVolumes
		rt.poolID, ok = unescape(rest[1])
	case is("POST", "desktops", "check-images"):
		rt.op = OpCheckImages
	case is("GET", "snapshots"):
		rt.op = OpListSnapshots
	case is("GET", "workspace-jobs", "*"):
		rt.op = OpGetJob
		rt.jobID, ok = unescape(rest[1])
	default:
		rt, ok = parseWorkflowRoute(rt, is, rest)
	}
	if !ok {
		return route{}
	}
	return rt
}

func unescape(seg string) (string, bool) {
	v, err := url.PathUnescape(seg)
	return v, err == nil && v != ""
}

// statusWriter records the status written in its request's record before
// the answer goes out: a client that has the whole answer (its
// Content-Length read) may look at Requests before the handler returns.
type statusWriter struct {
	http.ResponseWriter
	s      *Server
	rec    *Request
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.s.mu.Lock()
		w.rec.Status = code
		w.s.mu.Unlock()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// serve records the request, applies latency and faults, and answers.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	rt := parseRoute(r.Method, r.URL.EscapedPath())

	s.mu.Lock()
	reqID := strings.ReplaceAll(s.newIDLocked(idRequest), "-", "")
	rec := &Request{
		Operation: rt.op, Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(),
		Header: redactedHeader(r.Header), Body: body, Auth: authKind(r), RequestID: reqID, Time: s.now(),
	}
	if isIdentityOp(rt.op) {
		rec.Body = nil // passwords and ID tokens
	}
	s.requests = append(s.requests, rec)
	var fault Fault
	var faulty bool
	if rt.op != OpUnknown {
		fault, faulty = s.takeFaultLocked(rt.op)
	}
	latency := s.latency + fault.Latency
	s.mu.Unlock()

	if !sleepContext(r, latency) {
		return // the client went away: no status
	}
	w.Header().Set("X-Request-Id", reqID)
	if faulty && fault.AfterEffect {
		s.handle(httptest.NewRecorder(), r, rt, body)
	}
	sw := &statusWriter{ResponseWriter: w, s: s, rec: rec}
	switch {
	case faulty && fault.Drop:
		dropConnection(w) // no status
	case faulty && fault.Status != 0:
		writeFault(sw, fault, reqID)
	default:
		s.handle(sw, r, rt, body)
	}
}

// readBody reads the request's body, up to one byte past maxBody (which
// the handlers refuse). A body of known length is read into a buffer of
// that size at once rather than one grown as it comes: check-images'
// 500 ids are some 20 KB.
func readBody(r *http.Request) []byte {
	if n := r.ContentLength; n >= 0 && n <= maxBody {
		b := make([]byte, n)
		k, _ := io.ReadFull(r.Body, b)
		return b[:k]
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	return b
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http closes the connection
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

func writeFault(w http.ResponseWriter, f Fault, reqID string) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
		return
	}
	code, msg := f.Code, f.Message
	if code == "" {
		switch {
		case f.Status == http.StatusTooManyRequests:
			code = ErrCodeThrottled
		case f.Status == http.StatusUnauthorized:
			code = ErrCodeUnauthorized
		case f.Status == http.StatusConflict:
			code = ErrCodeConflict
		case f.Status == http.StatusBadRequest:
			code = ErrCodeBadParameter
		case f.Status >= 500:
			code = ErrCodeInternal
		default:
			code = "WKS.00000000"
		}
	}
	if msg == "" {
		msg = "injected fault: " + http.StatusText(f.Status)
	}
	writeError(w, &apiError{f.Status, code, msg}, reqID)
}

// writeError writes the API's error body; the gateway's errors (APIGW.)
// also carry request_id in the body.
func writeError(w http.ResponseWriter, e *apiError, reqID string) {
	body := wire.ErrorBody{ErrorCode: e.code, ErrorMsg: e.msg}
	if strings.HasPrefix(e.code, "APIGW.") {
		body.RequestID = reqID
	}
	writeJSON(w, e.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b []byte
	var err error
	switch v := v.(type) {
	case rawJSON:
		b = v
	case pooledJSON:
		b = *v.buf
		defer v.release() // once written: a Writer does not keep what it was given
	default:
		b, err = json.Marshal(v)
	}
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error_code":"WKS.00000001","error_msg":"encoding failed"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	// As a server that has the whole answer at hand says (net/http says it
	// by itself only of a small one): the client can read it into one
	// buffer of its size.
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// handle answers a request after faults: route, size, credentials,
// project, then the operation.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, rt route, body []byte) {
	reqID := w.Header().Get("X-Request-Id")
	fail := func(e *apiError) { writeError(w, e, reqID) }
	if rt.op == OpUnknown {
		fail(&apiError{http.StatusNotFound, ErrCodeNoSuchAPI, "The API does not exist or has not been published: " + r.Method + " " + r.URL.EscapedPath()})
		return
	}
	if len(body) > maxBody {
		fail(&apiError{http.StatusRequestEntityTooLarge, ErrCodeBodyTooLarge, "Request body too large"})
		return
	}
	if isIdentityOp(rt.op) {
		s.handleIdentity(w, r, rt.op, body)
		return
	}
	if e := s.checkAuth(r, body); e != nil {
		fail(e)
		return
	}
	if rt.projectID != s.ProjectID {
		fail(&apiError{http.StatusForbidden, ErrCodeWrongProject, "The credentials are not valid for project " + rt.projectID})
		return
	}
	var status int
	var out any
	var e *apiError
	switch rt.op {
	case OpGetInconsistentStatistics:
		out, e = s.getStatistics(rt.poolID)
	case OpBatchDeleteVolumes:
		out, e = s.batchDelete(rt.poolID, body)
	case OpListScriptExecutionTasks:
		out, e = s.listTasks(r.URL.Query())
	case OpCheckImages:
		out, e = s.checkImages(body)
	case OpListSnapshots:
		out, e = s.listSnapshots(r.URL.Query())
	case OpGetJob:
		out, e = s.getJob(rt.jobID)
	default:
		out, e = s.handleWorkflow(r, rt, body)
	}
	if e != nil {
		fail(e)
		return
	}
	status = http.StatusOK
	writeJSON(w, status, out)
}

// poolNotFound is the API's answer for a desktop pool that does not exist:
// 400 WKS.0001, not 404 (the vendor's Terraform provider reads it so).
func poolNotFound(id string) *apiError {
	return &apiError{http.StatusBadRequest, ErrCodePoolNotFound, "The desktop pool does not exist: " + id}
}

func (s *Server) getStatistics(poolID string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	p := s.st.pool(poolID)
	if p == nil {
		return nil, poolNotFound(poolID)
	}
	st := s.st.statistics(p)
	return wire.Statistics{ProductID: st.ProductID, ImageID: st.ImageID, DiskNum: st.DiskNum, DiskSize: st.DiskSize}, nil
}

func (s *Server) batchDelete(poolID string, body []byte) (any, *apiError) {
	var req wire.BatchDeleteRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, badParam("Malformed request body: %v", err)
	}
	switch n := len(req.Volumes); {
	case n == 0:
		return nil, badParam("volumes: at least one volume is required")
	case n > workspace.MaxVolumesPerBatchDelete:
		return nil, badParam("volumes: at most %d volumes per request, got %d", workspace.MaxVolumesPerBatchDelete, n)
	}
	for i, v := range req.Volumes {
		if e := checkVolume(i, v); e != nil {
			return nil, e
		}
	}
	if n := len(req.DesktopIDs); n > workspace.MaxDesktopIDsPerBatchDelete {
		return nil, badParam("desktop_ids: at most %d desktops per request, got %d", workspace.MaxDesktopIDsPerBatchDelete, n)
	}
	switch workspace.VolumeHandleType(req.HandleType) {
	case "", workspace.VolumeHandleOnlyForExpand, workspace.VolumeHandleForExpandAndIdle, workspace.VolumeHandleForExpandAndAll:
	default:
		return nil, badParam("handle_type: unknown value %q", req.HandleType)
	}
	for i, id := range req.DesktopIDs {
		if strings.TrimSpace(id) == "" {
			return nil, badParam("desktop_ids[%d] is empty", i)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	if s.st.pool(poolID) == nil {
		return nil, poolNotFound(poolID)
	}
	return wire.JobRef{JobID: s.startDeleteJobLocked(poolID, req)}, nil
}

// checkVolume checks one volume of a batch-delete in either revision of
// the API: named by id (the current one), or described by type and size
// (the spec page's), or both; a type or a size must come with the other.
func checkVolume(i int, v wire.Volume) *apiError {
	if v.ID != "" && strings.TrimSpace(v.ID) == "" {
		return badParam("volumes[%d].id must not be blank", i)
	}
	if v.Type == "" && v.Size == 0 {
		if v.ID == "" {
			return badParam("volumes[%d]: id is required (or type and size)", i)
		}
		return nil
	}
	if strings.TrimSpace(v.Type) == "" {
		return badParam("volumes[%d].type is required with size", i)
	}
	if v.Size < workspace.MinVolumeSizeGB || v.Size > workspace.MaxVolumeSizeGB {
		return badParam("volumes[%d].size must be between %d and %d, got %d", i, workspace.MinVolumeSizeGB, workspace.MaxVolumeSizeGB, v.Size)
	}
	return nil
}

func (s *Server) checkImages(body []byte) (any, *apiError) {
	var req wire.CheckImagesRequest
	if !req.DecodeFast(body) {
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, badParam("Malformed request body: %v", err)
		}
	}
	switch n := len(req.DesktopIDs); {
	case n == 0:
		return nil, badParam("desktop_ids: at least one desktop id is required")
	case n > workspace.MaxCheckImagesDesktops:
		return nil, badParam("desktop_ids: at most %d ids per request, got %d", workspace.MaxCheckImagesDesktops, n)
	}
	for i, id := range req.DesktopIDs {
		if id == "" || len(id) > workspace.MaxDesktopIDLength {
			return nil, badParam("desktop_ids[%d]: must have 1 to %d characters", i, workspace.MaxDesktopIDLength)
		}
	}
	buf := answerBufs.Get().(*[]byte)
	b := append(slices.Grow((*buf)[:0], len(imagesHead)+128*len(req.DesktopIDs)+len(imagesTail)), imagesHead...)
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := make(map[*Desktop]struct{}, len(req.DesktopIDs))
	// Desktops mostly share an image: its fields are encoded once for a
	// run of desktops with the same image id.
	var (
		looked  bool // image is that of imageID
		imageID string
		image   *Image
		fields  []byte
		n       int
	)
	for _, id := range req.DesktopIDs {
		d := s.st.desktop(id)
		if d == nil {
			continue
		}
		if _, dup := seen[d]; dup {
			continue
		}
		seen[d] = struct{}{}
		if !looked || d.ImageID != imageID {
			looked, imageID, image = true, d.ImageID, s.st.image(d.ImageID)
			if image != nil {
				fields = appendImageFields(fields[:0], image.ID, image.Name, image.Type, image.OSType)
			}
		}
		if image == nil {
			continue // the image is gone: left out
		}
		b = appendImageInfo(b, n == 0, d.ID, fields)
		n++
	}
	*buf = append(b, imagesTail...)
	return pooledJSON{buf}, nil
}

// pageParams reads offset (from 0) and limit (minLimit to maxLimit, or
// defLimit when absent).
func pageParams(q url.Values, minLimit, maxLimit, defLimit int) (offset, limit int, e *apiError) {
	limit = defLimit
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, badParam("offset must be an integer from 0, got %q", v)
		}
		offset = n
	}
	if v, ok := q["limit"]; ok && len(v) > 0 {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < minLimit || n > maxLimit {
			return 0, 0, badParam("limit must be an integer from %d to %d, got %q", minLimit, maxLimit, v[0])
		}
		limit = n
	}
	return offset, limit, nil
}

// enumParam reads a parameter that takes one of allowed ("" when absent).
func enumParam(q url.Values, name string, allowed ...string) (string, *apiError) {
	v := q.Get(name)
	if v == "" || slices.Contains(allowed, v) {
		return v, nil
	}
	return "", badParam("%s: unknown value %q (one of %s)", name, v, strings.Join(allowed, ", "))
}

func timeParam(q url.Values, name string) (time.Time, *apiError) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, badParam("%s: %q is not a UTC time such as 2021-10-01T12:00:00Z", name, v)
	}
	return t, nil
}

func page[T any](items []T, offset, limit int) []T {
	if offset >= len(items) {
		return items[:0]
	}
	return items[offset:min(len(items), offset+limit)]
}

func toWireTask(t workspace.ScriptExecutionTask) wire.Task {
	w := wire.Task{
		ID: t.ID, DesktopPoolID: t.DesktopPoolID, DesktopPoolName: t.DesktopPoolName,
		Scripts: []wire.Script{}, CommandContent: t.CommandContent, CommandType: string(t.CommandType),
		StartTime: wire.Time(t.StartTime), EndTime: wire.Time(t.EndTime), Status: string(t.Status),
		SuccessNum: t.SuccessNum, FailedNum: t.FailedNum, SkipNum: t.SkipNum,
	}
	for _, sc := range t.Scripts {
		w.Scripts = append(w.Scripts, wire.Script(sc))
	}
	return w
}

// taskFilterStatus maps the status filter onto a task's own status.
var taskFilterStatus = map[string]workspace.TaskStatus{
	"SUCCESS": workspace.TaskStatusFinish,
	"FAILED":  workspace.TaskStatusFailed,
	"RUNNING": workspace.TaskStatusRunning,
	"WAITING": workspace.TaskStatusInit,
}

func taskType(t *workspace.ScriptExecutionTask) workspace.TaskType {
	if len(t.Scripts) > 0 {
		return workspace.TaskTypeScript
	}
	return workspace.TaskTypeCommand
}

func (s *Server) listTasks(q url.Values) (any, *apiError) {
	offset, limit, e := pageParams(q, 0, workspace.MaxScriptTasksLimit, defaultTasksLimit)
	if e != nil {
		return nil, e
	}
	status, e := enumParam(q, "status", "SUCCESS", "FAILED", "RUNNING", "WAITING")
	if e != nil {
		return nil, e
	}
	typ, e := enumParam(q, "task_type", "SCRIPT", "COMMAND")
	if e != nil {
		return nil, e
	}
	start, e := timeParam(q, "execute_time_start")
	if e != nil {
		return nil, e
	}
	end, e := timeParam(q, "execute_time_end")
	if e != nil {
		return nil, e
	}
	poolID, scriptID, scriptName := q.Get("desktop_pool_id"), q.Get("script_id"), q.Get("script_name")
	ids := q["task_id"]
	hasScript := func(t *workspace.ScriptExecutionTask) bool {
		if scriptID == "" && scriptName == "" {
			return true
		}
		return slices.ContainsFunc(t.Scripts, func(sc workspace.Script) bool {
			return (scriptID == "" || sc.ID == scriptID) && (scriptName == "" || sc.Name == scriptName)
		})
	}

	s.mu.Lock()
	s.advanceLocked() // tasks that ExecuteScripts started may have finished
	var match []wire.Task
	for i := range s.st.tasks {
		t := &s.st.tasks[i]
		switch {
		case poolID != "" && t.DesktopPoolID != poolID,
			status != "" && t.Status != taskFilterStatus[status],
			typ != "" && taskType(t) != workspace.TaskType(typ),
			len(ids) > 0 && !slices.Contains(ids, t.ID),
			!hasScript(t),
			(!start.IsZero() || !end.IsZero()) && t.StartTime.IsZero(),
			!start.IsZero() && t.StartTime.Before(start),
			!end.IsZero() && t.StartTime.After(end):
			continue
		}
		match = append(match, toWireTask(*t))
	}
	s.mu.Unlock()
	items := page(match, offset, limit)
	if items == nil {
		items = []wire.Task{}
	}
	return wire.TaskPage{Tasks: items, TotalCount: len(match)}, nil
}

func toWireSnapshot(sn workspace.Snapshot) wire.Snapshot {
	return wire.Snapshot{
		ID: sn.ID, Name: sn.Name, DesktopID: sn.DesktopID, DesktopName: sn.DesktopName,
		DesktopSID: sn.DesktopSID, DesktopPoolID: sn.DesktopPoolID, IsSystemDisk: sn.IsSystemDisk,
		Status: string(sn.Status), Process: sn.Process, Description: sn.Description,
		CreateTime: wire.Time(sn.CreateTime), CreateType: string(sn.CreateType),
		LastRestoreTime: wire.Time(sn.LastRestoreTime), RestoreFailReason: sn.RestoreFailReason,
	}
}

func (s *Server) listSnapshots(q url.Values) (any, *apiError) {
	offset, limit, e := pageParams(q, 1, workspace.MaxSnapshotsLimit, defaultSnapshotsLimit)
	if e != nil {
		return nil, e
	}
	var enums [5]string
	for i, p := range []struct {
		name    string
		allowed []string
	}{
		{"disk_type", []string{"SYSTEM_DISK", "DATA_DISKS", "ALL"}},
		{"create_type", []string{"AUTO", "MANUALLY"}},
		{"status", []string{"creating", "restoring", "create_success", "create_failed", "restore_success", "restore_failed"}},
		{"sort_field", []string{"create_time", "snapshot_name"}},
		{"sort_type", []string{"ASC", "DESC"}},
	} {
		if enums[i], e = enumParam(q, p.name, p.allowed...); e != nil {
			return nil, e
		}
	}
	diskType, createType, status, sortField, sortType := enums[0], enums[1], enums[2], enums[3], enums[4]
	if (sortField == "") != (sortType == "") {
		return nil, badParam("sort_field and sort_type must be given together")
	}
	desktopID, desktopName, snapshotName := q.Get("desktop_id"), q.Get("desktop_name"), q.Get("snapshot_name")
	desktopIDs, desktopNames, snapshotNames := q["desktop_ids"], q["desktop_names"], q["snapshot_names"]

	skip := func(sn *workspace.Snapshot) bool {
		switch {
		case desktopID != "" && sn.DesktopID != desktopID,
			desktopName != "" && sn.DesktopName != desktopName,
			snapshotName != "" && sn.Name != snapshotName,
			len(desktopIDs) > 0 && !slices.Contains(desktopIDs, sn.DesktopID),
			len(desktopNames) > 0 && !slices.Contains(desktopNames, sn.DesktopName),
			len(snapshotNames) > 0 && !slices.Contains(snapshotNames, sn.Name),
			diskType == "SYSTEM_DISK" && !sn.IsSystemDisk,
			diskType == "DATA_DISKS" && sn.IsSystemDisk,
			createType != "" && string(sn.CreateType) != createType,
			status != "" && string(sn.Status) != status:
			return true
		}
		return false
	}

	// Only the page is encoded, so that answering a page takes time in
	// proportion to the page, not to every snapshot held; and each
	// snapshot's encoding is kept while the snapshot stays as it was, so
	// that a page is mostly copied, not encoded (see snapshotJSONLocked),
	// and that outside the lock.
	s.mu.Lock()
	s.advanceLocked() // snapshots of a finished job have moved on
	var items []int   // indexes into s.st.snapshots
	total := 0
	filtered := desktopID != "" || desktopName != "" || snapshotName != "" || len(desktopIDs) > 0 ||
		len(desktopNames) > 0 || len(snapshotNames) > 0 || diskType == "SYSTEM_DISK" || diskType == "DATA_DISKS" ||
		createType != "" || status != ""
	if !filtered && sortField == "" {
		// Every snapshot matches (skip would skip none): the page is a
		// range of them.
		total = len(s.st.snapshots)
		items = make([]int, 0, max(0, min(total, offset+limit)-offset))
		for i := offset; i < min(total, offset+limit); i++ {
			items = append(items, i)
		}
	} else {
		for i := range s.st.snapshots {
			if skip(&s.st.snapshots[i]) {
				continue
			}
			if sortField != "" || (total >= offset && total < offset+limit) {
				items = append(items, i)
			}
			total++
		}
	}
	if sortField != "" {
		sign := 1
		if sortType == "DESC" {
			sign = -1
		}
		slices.SortStableFunc(items, func(i, j int) int {
			a, b := &s.st.snapshots[i], &s.st.snapshots[j]
			if sortField == "snapshot_name" {
				return sign * cmp.Compare(a.Name, b.Name)
			}
			return sign * a.CreateTime.Compare(b.CreateTime)
		})
		items = page(items, offset, limit)
	}
	encs := make([][]byte, len(items))
	for i, k := range items {
		encs[i] = s.snapshotJSONLocked(k)
	}
	s.mu.Unlock()
	buf := answerBufs.Get().(*[]byte)
	*buf = appendSnapshotPage((*buf)[:0], encs, total)
	return pooledJSON{buf}, nil
}

func toWireJob(j workspace.Job, limit int) wire.Job {
	w := wire.Job{
		ID: j.ID, Type: j.Type, BeginTime: wire.Time(j.BeginTime), EndTime: wire.Time(j.EndTime),
		Status: string(j.Status), ErrorCode: j.ErrorCode, FailReason: j.FailReason,
		SubJobsTotal: j.SubJobsTotal, SubJobs: []wire.SubJob{},
	}
	for i, sj := range j.SubJobs {
		if limit > 0 && i == limit {
			break
		}
		w.SubJobs = append(w.SubJobs, toWireSubJob(sj))
	}
	return w
}

func toWireSubJob(sj workspace.SubJob) wire.SubJob {
	return wire.SubJob{
		ID: sj.ID, Type: sj.Type,
		Entities:  &wire.Entities{DesktopID: sj.DesktopID, ProductID: sj.ProductID, UserName: sj.UserName, DesktopName: sj.DesktopName, IPAddress: sj.IPAddress},
		BeginTime: wire.Time(sj.BeginTime), EndTime: wire.Time(sj.EndTime), Status: string(sj.Status),
		ErrorCode: sj.ErrorCode, FailReason: sj.FailReason, Host: sj.Host, ProjectID: sj.ProjectID,
		JobID: sj.JobID, Process: wire.Progress(sj.Process),
		AttachUser: sj.AttachUser, Entity: sj.Entity, IPAddress: sj.SubJobIPAddress,
		DesktopName: sj.SubJobDesktopName, MACAddress: sj.MACAddress, Message: sj.Message,
	}
}

func (s *Server) getJob(id string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	j := s.st.job(id)
	if j == nil {
		return nil, &apiError{http.StatusNotFound, ErrCodeJobNotFound, "The job does not exist: " + id}
	}
	return toWireJob(j.job, s.subJobsPerAnswer), nil
}
