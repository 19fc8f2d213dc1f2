package workspacetest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/wire"
)

// The operations around the first five, on the one model of state.go: a
// pool's configuration and desktops, the desktop list, rebuilds, added
// volumes, script runs, the snapshot lifecycle and sub-jobs. Each write
// starts a job that acts on the model when the job delay is over.

// Error codes of failed sub-jobs (the fake's choice).
const (
	ErrCodeSnapshotNotFound = "WKS.00010006" // in a FAILED job: no such snapshot
	ErrCodeDesktopNotFound  = "WKS.00010007" // in a FAILED job: no such desktop
	ErrCodeImageNotFound    = "WKS.00010008" // 400: a rebuild onto an image the fake does not have
)

// Defaults of the lists, as the API documents them.
const (
	defaultPoolsLimit        = 1000
	defaultPoolDesktopsLimit = 10
	defaultDesktopsLimit     = 500
	defaultSubJobsLimit      = 1000
)

// parseWorkflowRoute matches the paths of the operations around the five
// (rest is the path after /v2/{project_id}); an unmatched path keeps
// OpUnknown.
func parseWorkflowRoute(rt route, is func(string, ...string) bool, rest []string) (route, bool) {
	ok := true
	pool := func(op Operation) {
		rt.op = op
		rt.poolID, ok = unescape(rest[1])
	}
	switch {
	case is("GET", "desktop-pools"):
		rt.op = OpListDesktopPools
	case is("GET", "desktop-pools", "*"):
		pool(OpGetDesktopPool)
	case is("GET", "desktop-pools", "*", "desktops"):
		pool(OpListPoolDesktops)
	case is("POST", "desktop-pools", "*", "rebuild"):
		pool(OpRebuildDesktopPool)
	case is("POST", "desktop-pools", "*", "volumes", "batch-add"):
		pool(OpBatchAddVolumes)
	case is("POST", "desktop-pools", "*", "script-executions"):
		pool(OpExecuteScripts)
	case is("GET", "desktops", "detail"):
		rt.op = OpListDesktops
	case is("POST", "snapshots", "batch-create"):
		rt.op = OpBatchCreateSnapshots
	case is("POST", "snapshots", "batch-delete"):
		rt.op = OpBatchDeleteSnapshots
	case is("POST", "snapshots", "batch-restore"):
		rt.op = OpBatchRestoreSnapshots
	case is("GET", "workspace-sub-jobs"):
		rt.op = OpListSubJobs
	}
	return rt, ok
}

// handleWorkflow answers the operations of parseWorkflowRoute.
func (s *Server) handleWorkflow(r *http.Request, rt route, body []byte) (any, *apiError) {
	q := r.URL.Query()
	switch rt.op {
	case OpListDesktopPools:
		return s.listPools(q)
	case OpGetDesktopPool:
		return s.getPool(rt.poolID)
	case OpListPoolDesktops:
		return s.listPoolDesktops(rt.poolID, q)
	case OpRebuildDesktopPool:
		return s.rebuild(rt.poolID, body)
	case OpBatchAddVolumes:
		return s.batchAdd(rt.poolID, body)
	case OpExecuteScripts:
		return s.executeScripts(rt.poolID, body)
	case OpListDesktops:
		return s.listDesktops(q)
	case OpBatchCreateSnapshots:
		return s.createSnapshots(body)
	case OpBatchDeleteSnapshots:
		return s.deleteSnapshots(body)
	case OpBatchRestoreSnapshots:
		return s.restoreSnapshots(body)
	case OpListSubJobs:
		return s.listSubJobs(q)
	}
	return nil, &apiError{http.StatusNotFound, ErrCodeNoSuchAPI, "The API does not exist or has not been published"}
}

// decodeBody decodes a request body into v.
func decodeBody(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		return badParam("Malformed request body: %v", err)
	}
	return nil
}

// listParam reads a list filter sent repeated or comma-joined (the vendor's
// SDKs differ); both are taken.
func listParam(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// boolParam reads "true" or "false"; absent: nil.
func boolParam(q url.Values, name string) (*bool, *apiError) {
	switch q.Get(name) {
	case "":
		return nil, nil
	case "true":
		v := true
		return &v, nil
	case "false":
		v := false
		return &v, nil
	}
	return nil, badParam("%s must be true or false, got %q", name, q.Get(name))
}

// poolType is p's type, DYNAMIC when unset.
func poolType(p *Pool) workspace.PoolType {
	if p.Type == "" {
		return workspace.PoolTypeDynamic
	}
	return p.Type
}

// busyLocked reports whether a job on the pool is still running.
func (st *state) busyLocked(poolID string) bool {
	for _, j := range st.jobs {
		if j.pending && j.poolID == poolID {
			return true
		}
	}
	return false
}

// poolToWireLocked is p as the API describes it: counts from its desktops,
// the image's name and OS from the images.
func (s *Server) poolToWireLocked(p *Pool) wire.Pool {
	w := wire.Pool{
		ID: p.ID, Name: p.Name, Type: string(poolType(p)), ChargingMode: string(workspace.ChargeModeOnDemand),
		Product: &wire.Product{ProductID: p.ProductID, ChargeMode: string(workspace.ChargeModeOnDemand)},
		ImageID: p.ImageID, Status: string(workspace.PoolStatusSteady),
		DataVolumes: make([]wire.Volume, len(p.Volumes)), SubnetIDs: []string{}, SecurityGroups: []wire.SecurityGroup{},
		Tags: []wire.Tag{},
	}
	if s.st.busyLocked(p.ID) {
		w.Status = string(workspace.PoolStatusTemporary)
	}
	if im := s.st.image(p.ImageID); im != nil {
		w.ImageName, w.ImageOSType = im.Name, im.OSType
	}
	for i, v := range p.Volumes {
		w.DataVolumes[i] = wire.Volume(v)
	}
	for _, d := range s.st.desktopsOf(p.ID) {
		w.DesktopCount++
		if d.UserName != "" {
			w.DesktopUsed++
		}
	}
	return w
}

func (s *Server) listPools(q url.Values) (any, *apiError) {
	offset, limit, e := pageParams(q, 0, workspace.MaxDesktopPoolsLimit, defaultPoolsLimit)
	if e != nil {
		return nil, e
	}
	typ, e := enumParam(q, "type", "DYNAMIC", "STATIC")
	if e != nil {
		return nil, e
	}
	maint, e := boolParam(q, "in_maintenance_mode")
	if e != nil {
		return nil, e
	}
	name, ep := q.Get("name"), q.Get("enterprise_project_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	var match []*Pool
	for _, p := range s.st.pools {
		switch {
		case name != "" && !strings.Contains(p.Name, name),
			typ != "" && string(poolType(p)) != typ,
			ep != "" && ep != "0",  // the fake's pools are in the default project "0"
			maint != nil && *maint: // nor in maintenance mode
			continue
		}
		match = append(match, p)
	}
	items := page(match, offset, limit)
	out := make([]wire.Pool, len(items))
	for i, p := range items {
		out[i] = s.poolToWireLocked(p)
	}
	return wire.PoolPage{Pools: out, TotalCount: len(match)}, nil
}

func (s *Server) getPool(poolID string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	p := s.st.pool(poolID)
	if p == nil {
		return nil, poolNotFound(poolID)
	}
	return s.poolToWireLocked(p), nil
}

// inconsistent reports whether d differs from its pool p in the respect
// typ, one of the four counts of the statistics.
func inconsistent(p *Pool, d *Desktop, typ string) bool {
	switch typ {
	case string(workspace.InconsistentTypeProductID):
		return d.ProductID != p.ProductID
	case string(workspace.InconsistentTypeImageID):
		return d.ImageID != p.ImageID
	case string(workspace.InconsistentTypeDiskNum):
		return len(d.DataDisks) != len(p.Volumes)
	case string(workspace.InconsistentTypeDiskSize):
		return totalSize(d.DataDisks) != totalSize(p.Volumes)
	}
	return false
}

// desktopToWireLocked is d as the desktop lists describe it; with a pool,
// its inconsistent_types in the API's own words.
func (s *Server) desktopToWireLocked(d *Desktop, p *Pool) wire.Desktop {
	status := d.Status
	if status == "" {
		status = workspace.DesktopStatusActive
	}
	w := wire.Desktop{
		DesktopID: d.ID, ComputerName: d.Name, OSHostName: d.Name, SID: d.SID,
		DesktopType: string(workspace.DesktopTypeDedicated), Status: string(status),
		Metadata: map[string]string{wire.MetaImageID: d.ImageID}, ProductID: d.ProductID,
		UserName: d.UserName, LoginStatus: string(workspace.LoginStatusRegistered),
		AttachState: string(workspace.AttachStateUnattach), IPAddresses: []string{}, Tags: []wire.Tag{},
		AttachUserInfos: []wire.AttachUser{}, DataVolumes: make([]wire.DesktopVolume, len(d.DataDisks)),
		EnterpriseProjectID: "0",
	}
	if d.PoolID != "" {
		w.DesktopType = string(workspace.DesktopTypePooled)
	}
	if d.UserName != "" {
		w.AttachState = string(workspace.AttachStateAttached)
		w.AttachUserInfos = append(w.AttachUserInfos, wire.AttachUser{UserName: d.UserName, Type: workspace.AttachedUserTypeUser})
	}
	if im := s.st.image(d.ImageID); im != nil {
		w.Metadata[wire.MetaImageName], w.Metadata[wire.MetaOSType] = im.Name, im.OSType
	}
	pool := s.st.pool(d.PoolID)
	for i, v := range d.DataDisks {
		dv := wire.DesktopVolume{ID: v.ID, VolumeID: v.ID, Type: v.Type, Size: v.Size, IOPS: v.IOPS, Throughput: v.Throughput, KMSID: v.KMSID}
		if pool != nil && v.ID != "" && slices.ContainsFunc(pool.Volumes, func(pv workspace.VolumeInfo) bool { return pv.ID == v.ID }) {
			dv.DesktopPoolDiskID = v.ID
		}
		w.DataVolumes[i] = dv
	}
	if p != nil {
		w.InconsistentTypes = []string{}
		if inconsistent(p, d, string(workspace.InconsistentTypeProductID)) {
			w.InconsistentTypes = append(w.InconsistentTypes, "PRODUCT")
		}
		if inconsistent(p, d, string(workspace.InconsistentTypeImageID)) {
			w.InconsistentTypes = append(w.InconsistentTypes, "IMAGE")
		}
	}
	return w
}

// desktopFilter is what the two desktop lists filter on.
type desktopFilter struct {
	status, typ, imageID, ip      string
	userNames, computerNames, ids []string
	userAttached                  *bool
	sortField, sortType           string
}

func readDesktopFilter(q url.Values) (desktopFilter, *apiError) {
	var f desktopFilter
	var e *apiError
	if f.status, e = enumParam(q, "status", "ACTIVE", "SHUTOFF", "ERROR", "HIBERNATED"); e != nil {
		return f, e
	}
	if f.typ, e = enumParam(q, "desktop_type", "DEDICATED", "POOLED", "SHARED"); e != nil {
		return f, e
	}
	if f.sortField, e = enumParam(q, "sort_field", "created", "computer_name"); e != nil {
		return f, e
	}
	if f.sortType, e = enumParam(q, "sort_type", "ASC", "DESC"); e != nil {
		return f, e
	}
	if (f.sortField == "") != (f.sortType == "") {
		return f, badParam("sort_field and sort_type must be given together")
	}
	if f.userAttached, e = boolParam(q, "user_attached"); e != nil {
		return f, e
	}
	f.userNames, f.computerNames, f.ids = listParam(q, "user_names"), listParam(q, "computer_names"), listParam(q, "desktop_id")
	for _, l := range []struct {
		name string
		n    int
	}{{"user_names", len(f.userNames)}, {"computer_names", len(f.computerNames)}, {"desktop_id", len(f.ids)}} {
		if l.n > workspace.MaxFilterValues {
			return f, badParam("%s: at most %d values, got %d", l.name, workspace.MaxFilterValues, l.n)
		}
	}
	f.imageID, f.ip = q.Get("image_id"), q.Get("desktop_ip")
	return f, nil
}

func (f *desktopFilter) match(d *Desktop) bool {
	status := d.Status
	if status == "" {
		status = workspace.DesktopStatusActive
	}
	typ := workspace.DesktopTypeDedicated
	if d.PoolID != "" {
		typ = workspace.DesktopTypePooled
	}
	switch {
	case f.status != "" && string(status) != f.status,
		f.typ != "" && string(typ) != f.typ,
		f.imageID != "" && d.ImageID != f.imageID,
		f.ip != "", // the fake's desktops have no addresses
		len(f.userNames) > 0 && !slices.Contains(f.userNames, d.UserName),
		len(f.computerNames) > 0 && !slices.Contains(f.computerNames, d.Name),
		len(f.ids) > 0 && !slices.Contains(f.ids, d.ID),
		f.userAttached != nil && *f.userAttached != (d.UserName != ""):
		return false
	}
	return true
}

// none reports whether f filters nothing (sorting aside).
func (f *desktopFilter) none() bool {
	return f.status == "" && f.typ == "" && f.imageID == "" && f.ip == "" && len(f.userNames) == 0 &&
		len(f.computerNames) == 0 && len(f.ids) == 0 && f.userAttached == nil
}

// sort orders desktops by name when asked (by creation: as added), in a
// copy: ds may be the state's own index.
func (f *desktopFilter) sort(ds []*Desktop) []*Desktop {
	if f.sortField == "" || (f.sortField == "created" && f.sortType != "DESC") {
		return ds
	}
	ds = slices.Clone(ds)
	if f.sortField == "created" {
		slices.Reverse(ds)
		return ds
	}
	sign := 1
	if f.sortType == "DESC" {
		sign = -1
	}
	slices.SortStableFunc(ds, func(a, b *Desktop) int { return sign * cmp.Compare(a.Name, b.Name) })
	return ds
}

// desktopsForPools is the desktops of the pools named, or every desktop.
func (st *state) desktopsForPools(pools []string) []*Desktop {
	if len(pools) == 0 {
		return st.desktops
	}
	var out []*Desktop
	for _, id := range slices.Compact(slices.Sorted(slices.Values(pools))) {
		out = append(out, st.desktopsOf(id)...)
	}
	return out
}

func (s *Server) listPoolDesktops(poolID string, q url.Values) (any, *apiError) {
	offset, limit, e := pageParams(q, 0, workspace.MaxPoolDesktopsLimit, defaultPoolDesktopsLimit)
	if e != nil {
		return nil, e
	}
	typ, e := enumParam(q, "inconsistent_type", "PRODUCT_ID", "IMAGE_ID", "DISK_NUM", "DISK_SIZE")
	if e != nil {
		return nil, e
	}
	f, e := readDesktopFilter(q)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	p := s.st.pool(poolID)
	if p == nil {
		return nil, poolNotFound(poolID)
	}
	match := s.st.desktopsOf(poolID)
	if typ != "" || !f.none() {
		match = nil
		for _, d := range s.st.desktopsOf(poolID) {
			if f.match(d) && (typ == "" || inconsistent(p, d, typ)) {
				match = append(match, d)
			}
		}
	}
	match = f.sort(match)
	items := page(match, offset, limit)
	out := make([]wire.Desktop, len(items))
	for i, d := range items {
		out[i] = s.desktopToWireLocked(d, p)
	}
	return wire.PoolDesktopPage{Desktops: out, TotalCount: len(match)}, nil
}

func (s *Server) listDesktops(q url.Values) (any, *apiError) {
	offset, limit, e := pageParams(q, 0, workspace.MaxDesktopsLimit, defaultDesktopsLimit)
	if e != nil {
		return nil, e
	}
	f, e := readDesktopFilter(q)
	if e != nil {
		return nil, e
	}
	pools := listParam(q, "pool_id") // one comma-separated string, as the API documents it
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	match := s.st.desktops
	if len(pools) > 0 || !f.none() {
		match = nil
		for _, d := range s.st.desktopsForPools(pools) {
			if f.match(d) {
				match = append(match, d)
			}
		}
	}
	match = f.sort(match)
	items := page(match, offset, limit)
	out := make([]wire.Desktop, len(items))
	for i, d := range items {
		out[i] = s.desktopToWireLocked(d, nil)
	}
	return wire.DesktopPage{Desktops: out, TotalCount: len(match)}, nil
}

// startJobLocked starts a job of typ with one running sub-job per entry of
// subs; finish ends it when the job delay is over.
func (s *Server) startJobLocked(typ, poolID string, subs []workspace.SubJob, finish func(j *fakeJob, end time.Time)) string {
	now := s.now().UTC().Truncate(time.Second)
	j := &fakeJob{pending: true, finishAt: s.now().Add(s.jobDelay), poolID: poolID, finish: finish}
	j.job = workspace.Job{ID: s.newIDLocked(idJob), Type: typ, Status: JobStatusRunning, BeginTime: now, SubJobsTotal: len(subs)}
	for _, sj := range subs {
		sj.ID, sj.Status, sj.BeginTime = s.newIDLocked(idSubJob), JobStatusRunning, now
		sj.ProjectID, sj.JobID, sj.Host = s.ProjectID, j.job.ID, "fake-host-01"
		j.job.SubJobs = append(j.job.SubJobs, sj)
	}
	s.st.jobs = append(s.st.jobs, j)
	return j.job.ID
}

// endSubJob sets a sub-job's outcome: "" code is success.
func endSubJob(sj *workspace.SubJob, end time.Time, code, reason string) {
	sj.EndTime, sj.Process = end, 100
	if code == "" {
		sj.Status = JobStatusSuccess
		return
	}
	sj.Status, sj.ErrorCode, sj.FailReason, sj.Message = JobStatusFailed, code, reason, reason
}

// endJob sets the job's outcome from its sub-jobs.
func endJob(j *fakeJob, end time.Time) {
	j.job.EndTime = end
	failed := 0
	code := ""
	for _, sj := range j.job.SubJobs {
		if sj.Status != JobStatusSuccess {
			failed++
			code = cmp.Or(code, sj.ErrorCode)
		}
	}
	if failed == 0 {
		j.job.Status = JobStatusSuccess
		return
	}
	j.job.Status, j.job.ErrorCode = JobStatusFailed, code
	j.job.FailReason = fmt.Sprintf("%d of %d sub-jobs failed", failed, len(j.job.SubJobs))
}

func checkHandleType(v string) *apiError {
	switch workspace.VolumeHandleType(v) {
	case "", workspace.VolumeHandleOnlyForExpand, workspace.VolumeHandleForExpandAndIdle, workspace.VolumeHandleForExpandAndAll:
		return nil
	}
	return badParam("handle_type: unknown value %q", v)
}

// appliesTo reports whether a pool-wide change with handleType and
// desktopIDs reaches the existing desktop d: FOR_EXPAND_AND_ALL reaches
// every desktop, FOR_EXPAND_AND_IDLE those with no user; the other types
// only desktops added later (none here).
func appliesTo(handleType string, desktopIDs []string, d *Desktop) bool {
	if len(desktopIDs) > 0 {
		return slices.Contains(desktopIDs, d.ID)
	}
	switch workspace.VolumeHandleType(handleType) {
	case workspace.VolumeHandleForExpandAndAll:
		return true
	case workspace.VolumeHandleForExpandAndIdle:
		return d.UserName == ""
	}
	return false
}

func (s *Server) rebuild(poolID string, body []byte) (any, *apiError) {
	var req wire.RebuildRequest
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	switch {
	case strings.TrimSpace(req.ImageID) == "":
		return nil, badParam("image_id is required")
	case req.DelayTime < 0 || req.DelayTime > workspace.MaxRebuildDelayMinutes:
		return nil, badParam("delay_time must be between 0 and %d, got %d", workspace.MaxRebuildDelayMinutes, req.DelayTime)
	case utf8.RuneCountInString(req.Message) > workspace.MaxRebuildMessageLength:
		return nil, badParam("message: at most %d characters", workspace.MaxRebuildMessageLength)
	case req.EncryptType == string(workspace.EncryptTypeEncrypted) && req.KMSID == "":
		return nil, badParam("kms_id is required with encrypt_type ENCRYPTED")
	}
	if _, e := enumParam(url.Values{"encrypt_type": {req.EncryptType}}, "encrypt_type", "KEEP", "UNENCRYPTED", "ENCRYPTED"); e != nil {
		return nil, e
	}
	if e := checkHandleType(req.HandleType); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	p := s.st.pool(poolID)
	if p == nil {
		return nil, poolNotFound(poolID)
	}
	if s.st.image(req.ImageID) == nil {
		return nil, &apiError{http.StatusBadRequest, ErrCodeImageNotFound, "The image does not exist: " + req.ImageID}
	}
	var targets []string
	var subs []workspace.SubJob
	for _, d := range s.st.desktopsOf(poolID) {
		switch {
		case len(req.DesktopIDs) > 0 && !slices.Contains(req.DesktopIDs, d.ID),
			req.IsFix && d.ImageID == p.ImageID:
			continue
		}
		targets = append(targets, d.ID)
		subs = append(subs, workspace.SubJob{Type: "rebuildDesktops", DesktopID: d.ID, DesktopName: d.Name, ProductID: d.ProductID, UserName: d.UserName, Entity: d.ID})
	}
	image := req.ImageID
	return wire.JobRef{JobID: s.startJobLocked(JobTypeRebuild, poolID, subs, func(j *fakeJob, end time.Time) {
		if p := s.st.pool(poolID); p != nil {
			p.ImageID = image
		}
		for i := range j.job.SubJobs {
			sj := &j.job.SubJobs[i]
			d := s.st.desktop(targets[i])
			if d == nil {
				endSubJob(sj, end, ErrCodeDesktopNotFound, "desktop "+targets[i]+" not found")
				continue
			}
			d.ImageID = image
			endSubJob(sj, end, "", "")
		}
		endJob(j, end)
	})}, nil
}

func (s *Server) batchAdd(poolID string, body []byte) (any, *apiError) {
	var req wire.AddVolumesRequest
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	switch n := len(req.Volumes); {
	case n == 0:
		return nil, badParam("volumes: at least one volume is required")
	case n > workspace.MaxVolumesPerBatchAdd:
		return nil, badParam("volumes: at most %d volumes per request, got %d", workspace.MaxVolumesPerBatchAdd, n)
	}
	for i, v := range req.Volumes {
		if strings.TrimSpace(v.Type) == "" {
			return nil, badParam("volumes[%d].type is required", i)
		}
		if v.Size < workspace.MinVolumeSizeGB || v.Size > workspace.MaxVolumeSizeGB {
			return nil, badParam("volumes[%d].size must be between %d and %d, got %d", i, workspace.MinVolumeSizeGB, workspace.MaxVolumeSizeGB, v.Size)
		}
	}
	if n := len(req.DesktopIDs); n > workspace.MaxDesktopIDsPerBatchAdd {
		return nil, badParam("desktop_ids: at most %d desktops per request, got %d", workspace.MaxDesktopIDsPerBatchAdd, n)
	}
	if e := checkHandleType(req.HandleType); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	if s.st.pool(poolID) == nil {
		return nil, poolNotFound(poolID)
	}
	subs := make([]workspace.SubJob, len(req.Volumes))
	for i, v := range req.Volumes {
		subs[i] = workspace.SubJob{Type: "addVolumes", Entity: fmt.Sprintf("volume (%s, %d GB)", v.Type, v.Size), Message: "adding"}
	}
	return wire.JobRef{JobID: s.startJobLocked(JobTypeAddVolumes, poolID, subs, func(j *fakeJob, end time.Time) {
		p := s.st.pool(poolID)
		for i, v := range req.Volumes {
			sj := &j.job.SubJobs[i]
			if p == nil {
				endSubJob(sj, end, ErrCodePoolNotFound, "desktop pool "+poolID+" not found")
				continue
			}
			added := workspace.VolumeInfo(v)
			added.ID = s.newIDLocked(idVolume)
			p.Volumes = append(p.Volumes, added)
			for _, d := range s.st.desktopsOf(poolID) {
				if appliesTo(req.HandleType, req.DesktopIDs, d) {
					d.DataDisks = append(d.DataDisks, added)
				}
			}
			sj.Entity, sj.Message = "volume "+added.ID, "added"
			endSubJob(sj, end, "", "")
		}
		endJob(j, end)
	})}, nil
}

// taskEnd is a script task that finishes at a time.
type taskEnd struct {
	id      string
	at      time.Time
	desktop int // desktops it ran on
}

// endTasksLocked finishes the script tasks whose time has come.
func (s *Server) endTasksLocked(now time.Time) {
	s.st.taskEnds = slices.DeleteFunc(s.st.taskEnds, func(te taskEnd) bool {
		if now.Before(te.at) {
			return false
		}
		for i := range s.st.tasks {
			if t := &s.st.tasks[i]; t.ID == te.id {
				t.Status, t.EndTime, t.SuccessNum = workspace.TaskStatusFinish, now.UTC().Truncate(time.Second), te.desktop
			}
		}
		return true
	})
}

func (s *Server) executeScripts(poolID string, body []byte) (any, *apiError) {
	var req wire.ExecuteScriptsRequest
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	switch {
	case len(req.ScriptIDs) == 0 && req.CommandContent == "":
		return nil, badParam("script_ids or command_content is required")
	case len(req.ScriptIDs) > 0 && req.CommandContent != "":
		return nil, badParam("script_ids and command_content exclude each other")
	case req.CommandContent != "" && req.CommandType == "":
		return nil, badParam("command_type is required with command_content")
	}
	if _, e := enumParam(url.Values{"command_type": {req.CommandType}}, "command_type", "POWERSHELL", "BAT", "SHELL"); e != nil {
		return nil, e
	}
	if _, e := enumParam(url.Values{"post_finish": {req.PostFinish}}, "post_finish", workspace.PostFinishStop, workspace.PostFinishReboot); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	p := s.st.pool(poolID)
	if p == nil {
		return nil, poolNotFound(poolID)
	}
	n := len(req.DesktopIDs)
	if n == 0 {
		n = len(s.st.desktopsOf(poolID))
	}
	t := workspace.ScriptExecutionTask{
		ID: s.newIDLocked(idTask), DesktopPoolID: poolID, DesktopPoolName: p.Name,
		CommandContent: req.CommandContent, CommandType: workspace.CommandType(req.CommandType),
		StartTime: s.now().UTC().Truncate(time.Second), Status: workspace.TaskStatusRunning,
	}
	for _, id := range req.ScriptIDs {
		t.Scripts = append(t.Scripts, workspace.Script{ID: id, Name: scriptName(id)})
	}
	s.st.tasks = append(s.st.tasks, t)
	s.st.taskEnds = append(s.st.taskEnds, taskEnd{id: t.ID, at: s.now().Add(s.jobDelay), desktop: n})
	return wire.TaskRef{TaskID: t.ID}, nil
}

// scriptName is the name of a script of the demo's library, else the id.
func scriptName(id string) string {
	for _, sc := range demoScripts {
		if sc.ID == id {
			return sc.Name
		}
	}
	return id
}

// checkIDList checks the 1 to MaxSnapshotsPerBatch ids of a snapshot batch.
func checkIDList(name string, ids []string) *apiError {
	switch n := len(ids); {
	case n == 0:
		return badParam("%s: at least one id is required", name)
	case n > workspace.MaxSnapshotsPerBatch:
		return badParam("%s: at most %d ids per request, got %d", name, workspace.MaxSnapshotsPerBatch, n)
	}
	for i, id := range ids {
		if strings.TrimSpace(id) == "" {
			return badParam("%s[%d] is empty", name, i)
		}
	}
	return nil
}

// snapshotIndex is the index of a snapshot by id, or -1.
func (st *state) snapshotIndex(id string) int {
	return slices.IndexFunc(st.snapshots, func(sn workspace.Snapshot) bool { return sn.ID == id })
}

func (s *Server) createSnapshots(body []byte) (any, *apiError) {
	var req wire.CreateSnapshotsRequest
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	if e := checkIDList("desktop_ids", req.DesktopIDs); e != nil {
		return nil, e
	}
	if _, e := enumParam(url.Values{"disk_type": {req.DiskType}}, "disk_type", "SYSTEM_DISK", "DATA_DISKS", "ALL"); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	now := s.now().UTC().Truncate(time.Second)
	stamp := now.Format("20060102150405")
	var made [][]string // per desktop: the snapshots made now, creating
	subs := make([]workspace.SubJob, len(req.DesktopIDs))
	for i, id := range req.DesktopIDs {
		subs[i] = workspace.SubJob{Type: "createSnapshot", DesktopID: id, Entity: id}
		d := s.st.desktop(id)
		var ids []string
		if d != nil {
			subs[i].DesktopName = d.Name
			for _, kind := range []struct {
				system bool
				spec   *wire.SnapshotSpec
				want   bool
			}{
				{true, req.SystemDisk, req.DiskType != "DATA_DISKS"},
				{false, req.DataDisk, req.DiskType != "SYSTEM_DISK" && len(d.DataDisks) > 0},
			} {
				if !kind.want {
					continue
				}
				name, desc := "snapshot", ""
				if kind.spec != nil {
					name, desc = cmp.Or(kind.spec.Name, name), kind.spec.Description
				}
				zero := 0
				sn := workspace.Snapshot{
					ID: s.newIDLocked(idSnapshot), Name: d.Name + "-" + name + "-" + stamp, DesktopID: d.ID,
					DesktopName: d.Name, DesktopSID: d.SID, DesktopPoolID: d.PoolID, IsSystemDisk: kind.system,
					Status: workspace.SnapshotStatusCreating, Process: &zero, Description: desc,
					CreateTime: now, CreateType: workspace.CreateTypeManually,
				}
				s.st.snapshots = append(s.st.snapshots, sn)
				ids = append(ids, sn.ID)
			}
		}
		made = append(made, ids)
	}
	return wire.JobRef{JobID: s.startJobLocked(JobTypeCreateSnapshots, "", subs, func(j *fakeJob, end time.Time) {
		for i := range j.job.SubJobs {
			sj := &j.job.SubJobs[i]
			if s.st.desktop(sj.DesktopID) == nil {
				endSubJob(sj, end, ErrCodeDesktopNotFound, "desktop "+sj.DesktopID+" not found")
				continue
			}
			for _, id := range made[i] {
				if k := s.st.snapshotIndex(id); k >= 0 {
					s.st.snapshots[k].Status, s.st.snapshots[k].Process = workspace.SnapshotStatusCreateSuccess, nil
				}
			}
			endSubJob(sj, end, "", "")
		}
		endJob(j, end)
	})}, nil
}

// snapshotJobLocked starts a delete or restore job: one sub-job per id;
// act changes the snapshot at index k when the job ends.
func (s *Server) snapshotJobLocked(typ, subType string, ids []string, act func(k int, end time.Time)) string {
	subs := make([]workspace.SubJob, len(ids))
	for i, id := range ids {
		subs[i] = workspace.SubJob{Type: subType, Entity: id}
		if k := s.st.snapshotIndex(id); k >= 0 {
			subs[i].DesktopID, subs[i].DesktopName = s.st.snapshots[k].DesktopID, s.st.snapshots[k].DesktopName
		}
	}
	return s.startJobLocked(typ, "", subs, func(j *fakeJob, end time.Time) {
		for i := range j.job.SubJobs {
			sj := &j.job.SubJobs[i]
			k := s.st.snapshotIndex(ids[i])
			if k < 0 {
				endSubJob(sj, end, ErrCodeSnapshotNotFound, "snapshot "+ids[i]+" not found")
				continue
			}
			act(k, end)
			endSubJob(sj, end, "", "")
		}
		endJob(j, end)
	})
}

func (s *Server) deleteSnapshots(body []byte) (any, *apiError) {
	var req wire.SnapshotIDsRequest
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	if e := checkIDList("snapshot_ids", req.SnapshotIDs); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	return wire.JobRef{JobID: s.snapshotJobLocked(JobTypeDeleteSnapshots, "deleteSnapshot", req.SnapshotIDs, func(k int, _ time.Time) {
		s.st.snapshots = slices.Delete(s.st.snapshots, k, k+1)
	})}, nil
}

func (s *Server) restoreSnapshots(body []byte) (any, *apiError) {
	var req wire.SnapshotIDsRequest
	if e := decodeBody(body, &req); e != nil {
		return nil, e
	}
	if e := checkIDList("snapshot_ids", req.SnapshotIDs); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	for _, id := range req.SnapshotIDs {
		if k := s.st.snapshotIndex(id); k >= 0 {
			zero := 0
			s.st.snapshots[k].Status, s.st.snapshots[k].Process = workspace.SnapshotStatusRestoring, &zero
		}
	}
	return wire.JobRef{JobID: s.snapshotJobLocked(JobTypeRestoreSnapshot, "restoreDesktopBySnapshot", req.SnapshotIDs, func(k int, end time.Time) {
		sn := &s.st.snapshots[k]
		sn.Status, sn.Process, sn.LastRestoreTime, sn.RestoreFailReason = workspace.SnapshotStatusRestoreSuccess, nil, end, ""
	})}, nil
}

// subJobStatus maps the sub-job list's status filter onto sub-jobs'
// statuses.
var subJobStatus = map[string]workspace.JobStatus{
	"SUCCESS": JobStatusSuccess,
	"RUNNING": JobStatusRunning,
	"FAILED":  JobStatusFailed,
	"WAITING": workspace.JobStatusWaiting,
}

func (s *Server) listSubJobs(q url.Values) (any, *apiError) {
	offset, limit, e := pageParams(q, 0, workspace.MaxSubJobsLimit, defaultSubJobsLimit)
	if e != nil {
		return nil, e
	}
	status, e := enumParam(q, "status", "SUCCESS", "RUNNING", "FAILED", "WAITING")
	if e != nil {
		return nil, e
	}
	jobID, jobType, poolID := q.Get("job_id"), q.Get("job_type"), q.Get("desktop_pool_id")
	if jobID == "" && jobType == "" {
		return nil, badParam("job_id or job_type is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	var match []*workspace.SubJob
	for _, j := range s.st.jobs {
		if jobID != "" && j.job.ID != jobID || jobType != "" && j.job.Type != jobType || poolID != "" && j.poolID != poolID {
			continue
		}
		for i := range j.job.SubJobs {
			if sj := &j.job.SubJobs[i]; status == "" || sj.Status == subJobStatus[status] {
				match = append(match, sj)
			}
		}
	}
	items := page(match, offset, limit)
	out := make([]wire.SubJob, len(items))
	for i, sj := range items {
		out[i] = toWireSubJob(*sj)
	}
	return wire.SubJobPage{SubJobs: out, TotalCount: len(match)}, nil
}

// FinishJobs ends every running job and script task now, as if their
// delay were over: each acts on the model and takes its outcome as it
// would have. Tests that look at the states a job passes through start it
// with a long delay (WithJobDelay, SetJobDelay) and then call FinishJobs.
func (s *Server) FinishJobs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, j := range s.st.jobs {
		if j.pending {
			j.finishAt = now
		}
	}
	for i := range s.st.taskEnds {
		s.st.taskEnds[i].at = now
	}
	s.advanceLocked()
}
