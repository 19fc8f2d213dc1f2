package workspacetest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/wire"
)

// Pool is a desktop pool and its configuration: what its desktops should
// run. GetInconsistentStatistics compares each desktop of the pool with it.
type Pool struct {
	ID        string                 // the pool's id; AddPool fills an empty one
	Name      string                 // its name, shown in script tasks
	Type      workspace.PoolType     // DYNAMIC or STATIC; "" reads as DYNAMIC
	ProductID string                 // the configured product (package)
	ImageID   string                 // the configured image
	Volumes   []workspace.VolumeInfo // the configured data disks; batch-delete removes them
}

// Desktop is one desktop: the pool it belongs to (if any), what it runs and
// its data disks.
type Desktop struct {
	ID        string                  // the desktop's id; AddDesktop fills an empty one
	Name      string                  // its (computer) name, shown in snapshots
	SID       string                  // Windows security id, reported in snapshots
	PoolID    string                  // "": not in a pool
	ProductID string                  // the product (package) it runs; differs from the pool's: counted in ProductID
	ImageID   string                  // an image not added with AddImage is gone: CheckImages leaves the desktop out
	DataDisks []workspace.VolumeInfo  // disk_num and disk_size compare these with the pool's Volumes
	UserName  string                  // the user it is assigned to; "": none (idle)
	Status    workspace.DesktopStatus // "" reads as ACTIVE
}

// Image is an image desktops can run.
type Image struct {
	ID     string // the image's id
	Name   string // its name, as CheckImages reports it
	Type   string // gold, private, shared, market
	OSType string // Windows, Linux, Other
}

// The job_type of the jobs the fake's writes start: the API's own names,
// as the vendor's reference lists them for the sub-job filter.
const (
	JobTypeDeleteVolumes   = "deleteDesktopPoolVolumes"
	JobTypeAddVolumes      = "addDesktopPoolVolumes"
	JobTypeRebuild         = "rebuildDesktopPool"
	JobTypeCreateSnapshots = "createWksSnapshot"
	JobTypeDeleteSnapshots = "deleteWksSnapshot"
	JobTypeRestoreSnapshot = "restoreDesktopBySnapshot"
)

// Job statuses the fake uses for the jobs it runs.
const (
	JobStatusRunning = workspace.JobStatusRunning
	JobStatusSuccess = workspace.JobStatusSuccess
	JobStatusFailed  = workspace.JobStatusFailed
)

// state is everything the fake holds; Server.mu guards it.
type state struct {
	pools     []*Pool
	desktops  []*Desktop
	images    []*Image
	snapshots []workspace.Snapshot
	tasks     []workspace.ScriptExecutionTask
	jobs      []*fakeJob
	taskEnds  []taskEnd // script tasks still running

	// Indexes of desktops, so that a page costs what the page holds:
	// by id, and each pool's in the order they were added.
	desktopByID  map[string]*Desktop
	poolDesktops map[string][]*Desktop
}

func newState() state {
	return state{desktopByID: map[string]*Desktop{}, poolDesktops: map[string][]*Desktop{}}
}

// addDesktop appends d, a desktop the state does not have, and indexes it.
func (st *state) addDesktop(d *Desktop) {
	st.desktops = append(st.desktops, d)
	st.desktopByID[d.ID] = d
	st.poolDesktops[d.PoolID] = append(st.poolDesktops[d.PoolID], d)
}

// replaceDesktop sets old, a desktop the state has, to d (the same id),
// moving it between pools' indexes when its pool changes.
func (st *state) replaceDesktop(old *Desktop, d Desktop) {
	if old.PoolID != d.PoolID {
		st.poolDesktops[old.PoolID] = slices.DeleteFunc(st.poolDesktops[old.PoolID], func(x *Desktop) bool { return x == old })
		st.poolDesktops[d.PoolID] = append(st.poolDesktops[d.PoolID], old)
	}
	*old = d
}

// desktopsOf is the desktops of a pool, in the order they were added
// (poolID "": those in no pool). The slice is the state's: do not change it.
func (st *state) desktopsOf(poolID string) []*Desktop { return st.poolDesktops[poolID] }

// fakeJob is a job and, while it runs, what it will do when it ends.
type fakeJob struct {
	job      workspace.Job
	pending  bool
	finishAt time.Time
	poolID   string
	req      wire.BatchDeleteRequest
	// finish, when set, ends the job instead of the batch-delete logic:
	// it acts on the model and sets the sub-jobs' and the job's outcome.
	finish func(j *fakeJob, end time.Time)
}

func (st *state) pool(id string) *Pool {
	for _, p := range st.pools {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func (st *state) desktop(id string) *Desktop { return st.desktopByID[id] }

func (st *state) image(id string) *Image {
	if id == "" {
		return nil
	}
	for _, im := range st.images {
		if im.ID == id {
			return im
		}
	}
	return nil
}

func (st *state) job(id string) *fakeJob {
	for _, j := range st.jobs {
		if j.job.ID == id {
			return j
		}
	}
	return nil
}

func clonePool(p *Pool) Pool {
	c := *p
	c.Volumes = slices.Clone(p.Volumes)
	return c
}

func cloneDesktop(d *Desktop) Desktop {
	c := *d
	c.DataDisks = slices.Clone(d.DataDisks)
	return c
}

func cloneSnapshot(sn workspace.Snapshot) workspace.Snapshot {
	if sn.Process != nil {
		p := *sn.Process
		sn.Process = &p
	}
	return sn
}

func cloneTask(t workspace.ScriptExecutionTask) workspace.ScriptExecutionTask {
	t.Scripts = slices.Clone(t.Scripts)
	return t
}

func cloneJob(j workspace.Job) workspace.Job {
	j.SubJobs = slices.Clone(j.SubJobs)
	return j
}

// AddPool adds (or replaces, by ID) a desktop pool and returns what was
// stored; an empty ID or volume ID is filled with a new one.
func (s *Server) AddPool(p Pool) Pool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == "" {
		p.ID = s.newIDLocked(idPool)
	}
	stored := clonePool(&p)
	for i := range stored.Volumes {
		if stored.Volumes[i].ID == "" {
			stored.Volumes[i].ID = s.newIDLocked(idVolume)
		}
	}
	if old := s.st.pool(p.ID); old != nil {
		*old = stored
	} else {
		s.st.pools = append(s.st.pools, &stored)
	}
	return clonePool(&stored)
}

// AddVolume adds a data disk to a pool's configuration and returns it (an
// empty ID is filled). It fails for a pool the fake does not have.
func (s *Server) AddVolume(poolID string, v workspace.VolumeInfo) (workspace.VolumeInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.pool(poolID)
	if p == nil {
		return workspace.VolumeInfo{}, fmt.Errorf("workspacetest: no pool %q", poolID)
	}
	if v.ID == "" {
		v.ID = s.newIDLocked(idVolume)
	}
	p.Volumes = append(p.Volumes, v)
	return v, nil
}

// AddDesktop adds (or replaces, by ID) a desktop and returns what was
// stored; an empty ID is filled. Its pool need not exist.
func (s *Server) AddDesktop(d Desktop) Desktop {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.ID == "" {
		d.ID = s.newIDLocked(idDesktop)
	}
	stored := cloneDesktop(&d)
	if old := s.st.desktop(d.ID); old != nil {
		s.st.replaceDesktop(old, stored)
	} else {
		s.st.addDesktop(&stored)
	}
	return cloneDesktop(&stored)
}

// AddImage adds (or replaces, by ID) an image. Desktops on an image the
// fake does not have are left out of CheckImages' answer.
func (s *Server) AddImage(im Image) Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	if im.ID == "" {
		im.ID = s.newIDLocked(idImage)
	}
	if old := s.st.image(im.ID); old != nil {
		*old = im
	} else {
		c := im
		s.st.images = append(s.st.images, &c)
	}
	return im
}

// RemoveImage deletes an image, so that its desktops' image is gone. It
// reports whether the image existed.
func (s *Server) RemoveImage(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.st.images)
	s.st.images = slices.DeleteFunc(s.st.images, func(im *Image) bool { return im.ID == id })
	return len(s.st.images) != n
}

// AddSnapshot appends a snapshot and returns what was stored. An empty ID
// is filled, a zero CreateTime becomes now, and the desktop's name, SID and
// pool are filled from a desktop the fake has when empty. Lists return
// snapshots in the order they were added unless sorted.
func (s *Server) AddSnapshot(sn workspace.Snapshot) workspace.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sn.ID == "" {
		sn.ID = s.newIDLocked(idSnapshot)
	}
	if sn.CreateTime.IsZero() {
		sn.CreateTime = s.now().UTC().Truncate(time.Second)
	}
	if d := s.st.desktop(sn.DesktopID); d != nil {
		if sn.DesktopName == "" {
			sn.DesktopName = d.Name
		}
		if sn.DesktopSID == "" {
			sn.DesktopSID = d.SID
		}
		if sn.DesktopPoolID == "" {
			sn.DesktopPoolID = d.PoolID
		}
	}
	sn = cloneSnapshot(sn)
	s.st.snapshots = append(s.st.snapshots, sn)
	return cloneSnapshot(sn)
}

// AddScriptTask appends a script execution task and returns what was
// stored (an empty ID is filled, the pool name comes from the pool when
// empty). A task with Scripts is of type SCRIPT, one without is a COMMAND.
// As filters, status SUCCESS selects tasks whose own status is FINISH,
// WAITING selects INIT, RUNNING and FAILED select themselves. Lists return
// tasks in the order they were added.
func (s *Server) AddScriptTask(t workspace.ScriptExecutionTask) workspace.ScriptExecutionTask {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.ID == "" {
		t.ID = s.newIDLocked(idTask)
	}
	if p := s.st.pool(t.DesktopPoolID); p != nil && t.DesktopPoolName == "" {
		t.DesktopPoolName = p.Name
	}
	t = cloneTask(t)
	s.st.tasks = append(s.st.tasks, t)
	return cloneTask(t)
}

// AddJob adds (or replaces, by ID) a job that the job API returns as it
// is, for tests of code that waits for jobs (partly failed, unknown
// statuses, ...). An empty ID is filled. UpdateJob changes it later.
func (s *Server) AddJob(j workspace.Job) workspace.Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.ID == "" {
		j.ID = s.newIDLocked(idJob)
	}
	j = cloneJob(j)
	if old := s.st.job(j.ID); old != nil {
		*old = fakeJob{job: j}
	} else {
		s.st.jobs = append(s.st.jobs, &fakeJob{job: j})
	}
	return cloneJob(j)
}

// UpdateJob lets f change a job in place (a batch-delete job still running
// stops running on its own: f decides its outcome). It reports whether the
// job exists.
func (s *Server) UpdateJob(id string, f func(*workspace.Job)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	j := s.st.job(id)
	if j == nil {
		return false
	}
	j.pending = false
	f(&j.job)
	return true
}

// Pools returns copies of the pools, in the order they were added.
func (s *Server) Pools() []Pool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	out := make([]Pool, len(s.st.pools))
	for i, p := range s.st.pools {
		out[i] = clonePool(p)
	}
	return out
}

// Pool returns a copy of one pool.
func (s *Server) Pool(id string) (Pool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	if p := s.st.pool(id); p != nil {
		return clonePool(p), true
	}
	return Pool{}, false
}

// Desktops returns copies of the desktops of a pool, or of every desktop
// for poolID "".
func (s *Server) Desktops(poolID string) []Desktop {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	all := s.st.desktops
	if poolID != "" {
		all = s.st.desktopsOf(poolID)
	}
	var out []Desktop
	for _, d := range all {
		out = append(out, cloneDesktop(d))
	}
	return out
}

// Images returns the images, in the order they were added.
func (s *Server) Images() []Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Image, len(s.st.images))
	for i, im := range s.st.images {
		out[i] = *im
	}
	return out
}

// Snapshots returns copies of the snapshots, in the order they were added.
func (s *Server) Snapshots() []workspace.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]workspace.Snapshot, len(s.st.snapshots))
	for i, sn := range s.st.snapshots {
		out[i] = cloneSnapshot(sn)
	}
	return out
}

// ScriptTasks returns copies of the script execution tasks, in the order
// they were added.
func (s *Server) ScriptTasks() []workspace.ScriptExecutionTask {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]workspace.ScriptExecutionTask, len(s.st.tasks))
	for i, t := range s.st.tasks {
		out[i] = cloneTask(t)
	}
	return out
}

// Job returns a copy of a job as the job API would return it now.
func (s *Server) Job(id string) (workspace.Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	if j := s.st.job(id); j != nil {
		return cloneJob(j.job), true
	}
	return workspace.Job{}, false
}

// Jobs returns copies of every job, in the order they were started or
// added.
func (s *Server) Jobs() []workspace.Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	out := make([]workspace.Job, len(s.st.jobs))
	for i, j := range s.st.jobs {
		out[i] = cloneJob(j.job)
	}
	return out
}

// statistics computes a pool's inconsistent-statistics from its desktops.
func (st *state) statistics(p *Pool) workspace.InconsistentStatistics {
	var out workspace.InconsistentStatistics
	want := totalSize(p.Volumes)
	for _, d := range st.desktopsOf(p.ID) {
		if d.ProductID != p.ProductID {
			out.ProductID++
		}
		if d.ImageID != p.ImageID {
			out.ImageID++
		}
		if len(d.DataDisks) != len(p.Volumes) {
			out.DiskNum++
		}
		if totalSize(d.DataDisks) != want {
			out.DiskSize++
		}
	}
	return out
}

func totalSize(vs []workspace.VolumeInfo) int {
	n := 0
	for _, v := range vs {
		n += v.Size
	}
	return n
}

// startDeleteJobLocked starts the job of a batch-delete.
func (s *Server) startDeleteJobLocked(poolID string, req wire.BatchDeleteRequest) string {
	now := s.now().UTC().Truncate(time.Second)
	j := &fakeJob{pending: true, finishAt: s.now().Add(s.jobDelay), poolID: poolID, req: req}
	j.job = workspace.Job{
		ID:           s.newIDLocked(idJob),
		Type:         JobTypeDeleteVolumes,
		Status:       JobStatusRunning,
		BeginTime:    now,
		SubJobsTotal: len(req.Volumes),
	}
	for _, v := range req.Volumes {
		j.job.SubJobs = append(j.job.SubJobs, workspace.SubJob{
			ID: s.newIDLocked(idSubJob), Type: "deleteVolumes", Status: JobStatusRunning,
			BeginTime: now, ProjectID: s.ProjectID, JobID: j.job.ID, Process: 50,
			Host: "fake-host-01", Entity: "volume " + volumeLabel(v), Message: "deleting",
		})
	}
	s.st.jobs = append(s.st.jobs, j)
	return j.job.ID
}

// advanceLocked ends the jobs whose delay is over: each volume the pool
// has is removed (and, with FOR_EXPAND_AND_ALL, from the pool's desktops
// too); a volume it does not have fails its sub-job and the job.
func (s *Server) advanceLocked() {
	now := s.now()
	s.endTasksLocked(now)
	for _, j := range s.st.jobs {
		if !j.pending || now.Before(j.finishAt) {
			continue
		}
		j.pending = false
		end := now.UTC().Truncate(time.Second)
		if j.finish != nil {
			j.finish(j, end)
			continue
		}
		p := s.st.pool(j.poolID)
		failed := 0
		for i, v := range j.req.Volumes {
			sj := &j.job.SubJobs[i]
			sj.EndTime, sj.Process = end, 100
			if p != nil && s.removeVolumeLocked(p, v, j.req) {
				sj.Status, sj.Message = JobStatusSuccess, "deleted"
				continue
			}
			failed++
			sj.Status = JobStatusFailed
			sj.ErrorCode = ErrCodeVolumeNotFound
			sj.FailReason = "volume " + volumeLabel(v) + " not found in desktop pool"
			sj.Message = sj.FailReason
		}
		j.job.EndTime = end
		if failed == 0 {
			j.job.Status = JobStatusSuccess
		} else {
			j.job.Status = JobStatusFailed
			j.job.ErrorCode = ErrCodeVolumeNotFound
			j.job.FailReason = fmt.Sprintf("%d of %d volumes could not be deleted", failed, len(j.req.Volumes))
		}
	}
}

// volumeLabel names a requested volume in a failure reason: its id, its
// type and size, or both.
func volumeLabel(v wire.Volume) string {
	switch {
	case v.Type == "" && v.Size == 0:
		return v.ID
	case v.ID == "":
		return fmt.Sprintf("(%s, %d GB)", v.Type, v.Size)
	}
	return fmt.Sprintf("%s (%s, %d GB)", v.ID, v.Type, v.Size)
}

// matchesVolume reports whether the pool's volume pv is the requested v:
// by id when v has one (and by type and size too when v gives them, as
// the earlier revision's spec page has it), else by type and size.
func matchesVolume(pv workspace.VolumeInfo, v wire.Volume) bool {
	if v.ID != "" && pv.ID != v.ID {
		return false
	}
	if v.Type != "" && !strings.EqualFold(pv.Type, v.Type) {
		return false
	}
	return v.Size == 0 || pv.Size == v.Size
}

// removeVolumeLocked removes the first volume of p matching v.
func (s *Server) removeVolumeLocked(p *Pool, v wire.Volume, req wire.BatchDeleteRequest) bool {
	i := slices.IndexFunc(p.Volumes, func(pv workspace.VolumeInfo) bool { return matchesVolume(pv, v) })
	if i < 0 {
		return false
	}
	removed := p.Volumes[i]
	p.Volumes = slices.Delete(p.Volumes, i, i+1)
	if req.HandleType != string(workspace.VolumeHandleForExpandAndAll) {
		return true
	}
	for _, d := range s.st.desktopsOf(p.ID) {
		if len(req.DesktopIDs) > 0 && !slices.Contains(req.DesktopIDs, d.ID) {
			continue
		}
		k := slices.IndexFunc(d.DataDisks, func(dv workspace.VolumeInfo) bool { return dv.ID == removed.ID })
		if k < 0 {
			k = slices.IndexFunc(d.DataDisks, func(dv workspace.VolumeInfo) bool {
				return strings.EqualFold(dv.Type, removed.Type) && dv.Size == removed.Size
			})
		}
		if k >= 0 {
			d.DataDisks = slices.Delete(d.DataDisks, k, k+1)
		}
	}
	return true
}
