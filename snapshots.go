package workspace

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"slices"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// SnapshotsService reaches the snapshot operations.
type SnapshotsService service

// SnapshotsAPI is what SnapshotsService does, for users' fakes and mocks.
type SnapshotsAPI interface {
	List(ctx context.Context, opts *ListSnapshotsOptions) (*Page[Snapshot], error)
	All(ctx context.Context, opts *ListSnapshotsOptions) iter.Seq2[Snapshot, error]
	BatchCreate(ctx context.Context, req *BatchCreateSnapshotsRequest) (*BatchSnapshotsResult, error)
	BatchDelete(ctx context.Context, snapshotIDs []string) (*BatchSnapshotsResult, error)
	BatchRestore(ctx context.Context, snapshotIDs []string) (*BatchSnapshotsResult, error)
	BatchCreateAndWait(ctx context.Context, req *BatchCreateSnapshotsRequest, opts *WaitOptions) ([]*Job, error)
	BatchDeleteAndWait(ctx context.Context, snapshotIDs []string, opts *WaitOptions) ([]*Job, error)
	BatchRestoreAndWait(ctx context.Context, snapshotIDs []string, opts *WaitOptions) ([]*Job, error)
}

var _ SnapshotsAPI = (*SnapshotsService)(nil)

// Limits of the snapshot operations.
const (
	MaxSnapshotsLimit    = 1000 // the largest page of snapshots the API hands out
	MaxSnapshotsPerBatch = 100  // desktops per BatchCreate, snapshots per BatchDelete and BatchRestore
)

// List lists one page of snapshots. A nil opts means no filters.
//
// GET /v2/{project_id}/snapshots
func (s *SnapshotsService) List(ctx context.Context, opts *ListSnapshotsOptions) (*Page[Snapshot], error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	p := new(snapshotPage)
	r := &request{op: opListSnapshots, method: "GET", path: "/snapshots", query: q}
	if err := (*service)(s).do(ctx, r, p); err != nil {
		return nil, err
	}
	return &p.page, nil
}

// snapshotPage is List's answer, decoded by the fast path straight into
// the public type (a page of 1,000 is some 200 KB of snapshots, which a
// wire form in between would allocate and copy once more); what the fast
// path declines, encoding/json decodes into the wire form, converted
// after.
type snapshotPage struct {
	page Page[Snapshot]
	w    wire.SnapshotPage
}

func (p *snapshotPage) DecodeFast(data []byte) bool {
	items, total, ok := wire.DecodeSnapshotPage(data, snapshotFields)
	if ok {
		if items == nil {
			items = []Snapshot{} // as fromWire makes it
		}
		p.page = Page[Snapshot]{Items: items, TotalCount: total}
	}
	return ok
}

func (p *snapshotPage) wireForm() any { return &p.w }

func (p *snapshotPage) fromWire() {
	p.page = Page[Snapshot]{TotalCount: p.w.TotalCount, Items: make([]Snapshot, len(p.w.Snapshots))}
	for i := range p.w.Snapshots {
		p.page.Items[i] = snapshotFromWire(&p.w.Snapshots[i])
	}
	p.w = wire.SnapshotPage{}
}

// All ranges over every snapshot matching opts, fetching pages of 1000 (or
// opts.Limit) from opts.Offset on, up to WithConcurrency pages at once
// (the one being yielded included). Snapshots come in the API's order,
// each snapshot_id once. An error is yielded once and ends the sequence;
// so does a page that repeats the one before it. Breaking out of the loop
// cancels the pages in flight and waits for them. opts is copied, never
// modified, and the sequence starts over each time it is ranged.
func (s *SnapshotsService) All(ctx context.Context, opts *ListSnapshotsOptions) iter.Seq2[Snapshot, error] {
	var o ListSnapshotsOptions
	if opts != nil {
		o = *opts
		o.DesktopIDs = slices.Clone(o.DesktopIDs)
		o.DesktopNames = slices.Clone(o.DesktopNames)
		o.SnapshotNames = slices.Clone(o.SnapshotNames)
	}
	if o.Limit == 0 {
		o.Limit = MaxSnapshotsLimit
	}
	return paginate(ctx, (*service)(s).clientOrNil(), o.Offset, o.Limit, func(ctx context.Context, offset int) (*Page[Snapshot], error) {
		page := o
		page.Offset = offset
		return s.List(ctx, &page)
	}, snapshotID)
}

// snapshotID names a snapshot for All: by its snapshot_id.
func snapshotID(s *Snapshot) string { return s.ID }

func (o *ListSnapshotsOptions) query() (url.Values, error) {
	if o == nil {
		return nil, nil
	}
	if err := checkPage(o.Offset, o.Limit, MaxSnapshotsLimit); err != nil {
		return nil, err
	}
	if o.SortField != "" && o.SortType == "" {
		return nil, invalid("opts.SortType", "must be set with opts.SortField")
	}
	if o.SortType != "" && o.SortField == "" {
		return nil, invalid("opts.SortField", "must be set with opts.SortType")
	}
	for _, list := range []struct {
		field string
		vals  []string
	}{{"opts.DesktopIDs", o.DesktopIDs}, {"opts.DesktopNames", o.DesktopNames}, {"opts.SnapshotNames", o.SnapshotNames}} {
		for i, v := range list.vals {
			if err := checkID(fmt.Sprintf("%s[%d]", list.field, i), v); err != nil {
				return nil, err
			}
		}
	}
	q := make(url.Values, 8)
	setString(q, "desktop_id", o.DesktopID)
	setString(q, "desktop_name", o.DesktopName)
	setString(q, "snapshot_name", o.SnapshotName)
	setStrings(q, "desktop_ids", o.DesktopIDs)
	setStrings(q, "desktop_names", o.DesktopNames)
	setStrings(q, "snapshot_names", o.SnapshotNames)
	setString(q, "disk_type", string(o.DiskType))
	setString(q, "create_type", string(o.CreateType))
	setString(q, "status", string(o.Status))
	setString(q, "sort_field", string(o.SortField))
	setString(q, "sort_type", string(o.SortType))
	setInt(q, "offset", o.Offset)
	setInt(q, "limit", o.Limit)
	return q, nil
}

// BatchCreate snapshots the disks of up to 100 desktops. The snapshots
// appear in List as creating, then create_success; the creation runs as a
// job, which JobsService.Wait waits for. The call is retried only where it
// surely did not take effect.
//
// POST /v2/{project_id}/snapshots/batch-create
func (s *SnapshotsService) BatchCreate(ctx context.Context, req *BatchCreateSnapshotsRequest) (*BatchSnapshotsResult, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if req == nil {
		return nil, invalid("req", "must not be nil")
	}
	if err := checkBatch("req.DesktopIDs", "desktops", req.DesktopIDs); err != nil {
		return nil, err
	}
	return s.batch(ctx, opCreateSnapshots, "/snapshots/batch-create", req.wire())
}

// BatchDelete deletes up to 100 snapshots, as a job. The call is retried
// only where it surely did not take effect.
//
// POST /v2/{project_id}/snapshots/batch-delete
func (s *SnapshotsService) BatchDelete(ctx context.Context, snapshotIDs []string) (*BatchSnapshotsResult, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if err := checkBatch("snapshotIDs", "snapshots", snapshotIDs); err != nil {
		return nil, err
	}
	return s.batch(ctx, opDeleteSnapshots, "/snapshots/batch-delete", &wire.SnapshotIDsRequest{SnapshotIDs: snapshotIDs})
}

// BatchRestore restores the desktops of up to 100 snapshots from them, as
// a job; each snapshot is restoring meanwhile. The call is retried only
// where it surely did not take effect.
//
// POST /v2/{project_id}/snapshots/batch-restore
func (s *SnapshotsService) BatchRestore(ctx context.Context, snapshotIDs []string) (*BatchSnapshotsResult, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if err := checkBatch("snapshotIDs", "snapshots", snapshotIDs); err != nil {
		return nil, err
	}
	return s.batch(ctx, opRestoreSnapshots, "/snapshots/batch-restore", &wire.SnapshotIDsRequest{SnapshotIDs: snapshotIDs})
}

// BatchCreateAndWait snapshots any number of desktops and waits for the
// snapshots: every desktop id checked first, chunks of 100 with req's
// other fields, one at a time, each job waited for with opts, a
// pool-busy chunk (409 WKS.00010032) sent again every wait interval, any
// other failure stopping the rest with a *BulkError. It returns every job
// it started, also with an error.
func (s *SnapshotsService) BatchCreateAndWait(ctx context.Context, req *BatchCreateSnapshotsRequest, opts *WaitOptions) ([]*Job, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if req == nil {
		return nil, invalid("req", "must not be nil")
	}
	return s.idsAndWait(ctx, "req.DesktopIDs", "desktops", req.DesktopIDs, opts, func(ctx context.Context, ids []string) (*BatchSnapshotsResult, error) {
		chunk := *req
		chunk.DesktopIDs = ids
		return s.BatchCreate(ctx, &chunk)
	})
}

// BatchDeleteAndWait deletes any number of snapshots and waits for the
// deletions, in chunks of 100, as BatchCreateAndWait creates them.
func (s *SnapshotsService) BatchDeleteAndWait(ctx context.Context, snapshotIDs []string, opts *WaitOptions) ([]*Job, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	return s.idsAndWait(ctx, "snapshotIDs", "snapshots", snapshotIDs, opts, s.BatchDelete)
}

// BatchRestoreAndWait restores the desktops of any number of snapshots
// and waits for the restores, in chunks of 100, as BatchCreateAndWait
// creates snapshots.
func (s *SnapshotsService) BatchRestoreAndWait(ctx context.Context, snapshotIDs []string, opts *WaitOptions) ([]*Job, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	return s.idsAndWait(ctx, "snapshotIDs", "snapshots", snapshotIDs, opts, s.BatchRestore)
}

// idsAndWait checks every id (at least one), then sends them in chunks of
// MaxSnapshotsPerBatch through send, one at a time, each job waited for.
func (s *SnapshotsService) idsAndWait(ctx context.Context, field, what string, ids []string, opts *WaitOptions, send func(context.Context, []string) (*BatchSnapshotsResult, error)) ([]*Job, error) {
	if len(ids) == 0 {
		return nil, invalid(field, "must list at least one of the %s", what)
	}
	if err := checkIDs(field, ids); err != nil {
		return nil, err
	}
	bulk := bulkWrite{n: len(ids), size: MaxSnapshotsPerBatch, send: func(ctx context.Context, from, to int) (string, error) {
		res, err := send(ctx, ids[from:to])
		if err != nil {
			return "", err
		}
		return res.JobID, nil
	}}
	return bulk.run(ctx, (*JobsService)(s), opts)
}

// batch sends one of the snapshot batches, all of which answer a job.
func (s *SnapshotsService) batch(ctx context.Context, op, path string, body any) (*BatchSnapshotsResult, error) {
	var w wire.JobRef
	r := &request{op: op, method: "POST", path: path, body: body, write: true}
	if err := (*service)(s).do(ctx, r, &w); err != nil {
		return nil, err
	}
	return &BatchSnapshotsResult{JobID: w.JobID}, nil
}

// checkBatch checks the 1 to MaxSnapshotsPerBatch ids of a snapshot batch.
func checkBatch(field, what string, ids []string) error {
	switch n := len(ids); {
	case n == 0:
		return invalid(field, "must list at least one of the %s", what)
	case n > MaxSnapshotsPerBatch:
		return invalid(field, "at most %d %s per call, got %d", MaxSnapshotsPerBatch, what, n)
	}
	return checkIDs(field, ids)
}
