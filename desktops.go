package workspace

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strings"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// DesktopsService reaches the desktop operations.
type DesktopsService service

// DesktopsAPI is what DesktopsService does, for users' fakes and mocks.
type DesktopsAPI interface {
	CheckImages(ctx context.Context, desktopIDs []string) ([]DesktopImageInfo, error)
	List(ctx context.Context, opts *ListDesktopsOptions) (*Page[Desktop], error)
	All(ctx context.Context, opts *ListDesktopsOptions) iter.Seq2[Desktop, error]
}

var _ DesktopsAPI = (*DesktopsService)(nil)

// Limits of CheckImages.
const (
	MaxCheckImagesDesktops = 500 // ids per request: CheckImages sends more in chunks of this size
	MaxDesktopIDLength     = 255
	MaxDesktopsLimit       = 500 // the largest page of Desktops.List
)

// CheckImages reports the image of each desktop whose image still exists,
// in the order of desktopIDs (each desktop once); a desktop whose image is
// gone is left out of the answer, so the answer is not index-aligned with
// desktopIDs. It takes any number of ids, at least one, and checks every
// id before it sends anything. It sends them in chunks of 500, the API's
// limit, up to WithConcurrency chunks at once; one chunk's error fails the
// call and cancels the chunks still in flight. Since it changes nothing,
// each chunk is retried like a read.
//
// POST /v2/{project_id}/desktops/check-images
func (s *DesktopsService) CheckImages(ctx context.Context, desktopIDs []string) ([]DesktopImageInfo, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if len(desktopIDs) == 0 {
		return nil, invalid("desktopIDs", "must list at least one desktop")
	}
	for i, id := range desktopIDs {
		if checkID("", id) == nil && len(id) <= MaxDesktopIDLength {
			continue // valid: no field name to make (for 5,000 ids, a millisecond of Sprintf)
		}
		field := fmt.Sprintf("desktopIDs[%d]", i)
		if err := checkID(field, id); err != nil {
			return nil, err
		}
		return nil, invalid(field, "longer than %d characters", MaxDesktopIDLength)
	}
	parts := chunks(len(desktopIDs), MaxCheckImagesDesktops)
	answers := make([][]wire.ImageInfo, len(parts))
	// Each chunk's answers are put in order as they arrive, while other
	// chunks are still on the wire, into the chunk's own part of one
	// slice for the whole call (all, room for an answer per id), so that
	// little is left to do after the last one. distinct says whether that
	// order is the whole call's (no id given twice); it and all are made
	// meanwhile, before ready is closed.
	var (
		all      []DesktopImageInfo
		placed   = make([]int, len(parts)) // answers placed per chunk; -1: not ordered on its own
		distinct bool
		ready    = make(chan struct{})
	)
	if len(parts) > 1 {
		go func() {
			all = make([]DesktopImageInfo, len(desktopIDs))
			distinct = !hasDuplicates(desktopIDs)
			close(ready)
		}()
	}
	err := inParallel(ctx, len(parts), (*service)(s).clientOrNil().concurrency(), func(ctx context.Context, i int) error {
		from, to := parts[i][0], parts[i][1]
		w, err := s.checkImages(ctx, desktopIDs[from:to])
		answers[i] = w
		if err == nil && len(parts) > 1 {
			<-ready
			placed[i] = placeInOrder(all[from:to], desktopIDs[from:to], w)
		}
		return err
	})
	if len(parts) > 1 {
		<-ready
		if distinct && err == nil && !slices.Contains(placed, -1) {
			return joinPlaced(all, parts, placed), nil
		}
	}
	if err != nil {
		if c := (*service)(s).clientOrNil(); err == ctx.Err() && c != nil && c.core != nil {
			// The context ended before a chunk was sent: name the
			// request, as a chunk's own error does.
			err = contextError("POST", c.core.prefix+"/desktops/check-images", err)
		}
		return nil, err
	}
	if len(answers) == 1 {
		return imagesFromWire(inOrder(desktopIDs, answers[0])), nil
	}
	return imagesFromWire(inOrder(desktopIDs, slices.Concat(answers...))), nil
}

// checkImages checks the images of one chunk of at most 500 valid ids.
func (s *DesktopsService) checkImages(ctx context.Context, desktopIDs []string) ([]wire.ImageInfo, error) {
	body := wire.CheckImagesRequest{DesktopIDs: desktopIDs}
	var w wire.Images
	r := &request{op: opCheckImages, method: "POST", path: "/desktops/check-images", body: body}
	if err := (*service)(s).do(ctx, r, &w); err != nil {
		return nil, err
	}
	return w.ImageInfos, nil
}

// placeInOrder puts a chunk's answers, as public values, into dst (room
// for one per id of the chunk) in the order of its ids and returns how
// many it put, or -1 where an answer names a desktop the chunk did not
// ask about or names one twice: then the whole call's answers are
// ordered together (inOrder). The ids are distinct (the caller uses the
// answer only then).
func placeInOrder(dst []DesktopImageInfo, ids []string, infos []wire.ImageInfo) int {
	if len(infos) > len(dst) {
		return -1 // more answers than ids: one is not asked, or twice
	}
	if asAsked(dst, ids, infos) {
		return len(infos)
	}
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	at := make([]int, len(infos))
	seen := make(map[int]struct{}, len(infos))
	for k := range infos {
		p, ok := pos[infos[k].DesktopID]
		if _, dup := seen[p]; !ok || dup {
			return -1
		}
		seen[p] = struct{}{}
		at[k] = p
	}
	order := make([]int, len(infos))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(at[a], at[b]) })
	for k, o := range order {
		dst[k] = DesktopImageInfo(infos[o])
	}
	return len(infos)
}

// asAsked puts infos into dst as public values and reports true when they
// name desktops of ids in the order of ids, each at most once (ids being
// distinct), as the API answers: one walk over both, with no map of
// positions. Otherwise it reports false, dst partly written.
func asAsked(dst []DesktopImageInfo, ids []string, infos []wire.ImageInfo) bool {
	j := 0
	for k := range infos {
		for j < len(ids) && ids[j] != infos[k].DesktopID {
			j++
		}
		if j == len(ids) {
			return false // not asked, or out of order
		}
		j++
		dst[k] = DesktopImageInfo(infos[k])
	}
	return true
}

// joinPlaced is the call's answers: chunk i's placed[i] answers, placed
// at parts[i]'s start in all, moved together. Nothing moves where every
// desktop had an answer; where fewer than half had one, the answers are
// copied to a slice of their size, so that they do not keep room for
// every id asked alive.
func joinPlaced(all []DesktopImageInfo, parts [][2]int, placed []int) []DesktopImageInfo {
	n := 0
	for i, p := range parts {
		if n != p[0] {
			copy(all[n:], all[p[0]:p[0]+placed[i]])
		}
		n += placed[i]
	}
	if n < len(all)/2 {
		return append(make([]DesktopImageInfo, 0, n), all[:n]...)
	}
	return all[:n]
}

// hasDuplicates reports whether an id is given twice.
func hasDuplicates(ids []string) bool {
	seen := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		if _, dup := seen[id]; dup {
			return true
		}
		seen[id] = struct{}{}
	}
	return false
}

// inOrder orders the answers by the position of their desktop in ids,
// each desktop once; an answer for a desktop not asked about comes last,
// in the API's order, also once. It reorders only where the API's order differs.
func inOrder(ids []string, infos []wire.ImageInfo) []wire.ImageInfo {
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		if _, ok := pos[id]; !ok {
			pos[id] = i
		}
	}
	rank := func(info *wire.ImageInfo) int {
		if p, ok := pos[info.DesktopID]; ok {
			return p
		}
		return len(ids)
	}
	sorted := slices.IsSortedFunc(infos, func(a, b wire.ImageInfo) int { return cmp.Compare(rank(&a), rank(&b)) })
	if !sorted {
		infos = slices.Clone(infos)
		slices.SortStableFunc(infos, func(a, b wire.ImageInfo) int { return cmp.Compare(rank(&a), rank(&b)) })
	}
	out := infos[:0:0]
	seen := make(map[string]struct{}, len(infos))
	for _, info := range infos {
		if info.DesktopID != "" { // each desktop once, asked about or not (each chunk may name it)
			if _, dup := seen[info.DesktopID]; dup {
				continue
			}
			seen[info.DesktopID] = struct{}{}
		}
		out = append(out, info)
	}
	return out
}

// List lists one page of desktops, where CheckImages' ids come from. A nil
// opts means no filters. Desktop.PoolID is left empty: the API does not
// send it (filter by opts.PoolIDs, or use DesktopPoolsService.ListDesktops).
//
// GET /v2/{project_id}/desktops/detail
func (s *DesktopsService) List(ctx context.Context, opts *ListDesktopsOptions) (*Page[Desktop], error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	var w wire.DesktopPage
	r := &request{op: opListDesktops, method: "GET", path: "/desktops/detail", query: q}
	if err := (*service)(s).do(ctx, r, &w); err != nil {
		return nil, err
	}
	p := &Page[Desktop]{TotalCount: w.TotalCount, Items: make([]Desktop, len(w.Desktops))}
	for i := range w.Desktops {
		p.Items[i] = desktopFromWire(&w.Desktops[i], "")
	}
	return p, nil
}

// All ranges over every desktop matching opts, fetching pages of 500 (or
// opts.Limit) from opts.Offset on. An error is yielded once and ends the
// sequence. opts is copied, never modified, and the sequence starts over
// each time it is ranged.
func (s *DesktopsService) All(ctx context.Context, opts *ListDesktopsOptions) iter.Seq2[Desktop, error] {
	var o ListDesktopsOptions
	if opts != nil {
		o = *opts
		o.PoolIDs = slices.Clone(o.PoolIDs)
		o.UserNames = slices.Clone(o.UserNames)
		o.ComputerNames = slices.Clone(o.ComputerNames)
		o.DesktopIDs = slices.Clone(o.DesktopIDs)
	}
	if o.Limit == 0 {
		o.Limit = MaxDesktopsLimit
	}
	return paginate(ctx, (*service)(s).clientOrNil(), o.Offset, o.Limit, func(ctx context.Context, offset int) (*Page[Desktop], error) {
		page := o
		page.Offset = offset
		return s.List(ctx, &page)
	}, idOfDesktop)
}

// query builds the desktop list's query. pool_id is one string of
// comma-separated ids, as the reference page and the vendor's models
// document it; the array filters go as repeated parameters, as the
// vendor's Go SDK sends them (its Python SDK joins them with commas).
func (o *ListDesktopsOptions) query() (url.Values, error) {
	if o == nil {
		return nil, nil
	}
	if err := checkPage(o.Offset, o.Limit, MaxDesktopsLimit); err != nil {
		return nil, err
	}
	if err := checkSort(o.SortField != "", o.SortType != ""); err != nil {
		return nil, err
	}
	if err := checkIDs("opts.PoolIDs", o.PoolIDs); err != nil {
		return nil, err
	}
	for i, id := range o.PoolIDs {
		if strings.Contains(id, ",") {
			return nil, invalid(fmt.Sprintf("opts.PoolIDs[%d]", i), "must not contain a comma: the ids go comma-separated")
		}
	}
	if err := checkFilters(o.UserNames, o.ComputerNames, o.DesktopIDs); err != nil {
		return nil, err
	}
	q := make(url.Values, 18)
	setJoined(q, "pool_id", o.PoolIDs)
	setString(q, "status", string(o.Status))
	setStrings(q, "user_names", o.UserNames)
	setStrings(q, "computer_names", o.ComputerNames)
	setStrings(q, "desktop_id", o.DesktopIDs)
	setString(q, "desktop_ip", o.DesktopIP)
	setString(q, "image_id", o.ImageID)
	setString(q, "subnet_id", o.SubnetID)
	setString(q, "availability_zone", o.AvailabilityZone)
	setString(q, "enterprise_project_id", o.EnterpriseProjectID)
	setString(q, "tag", o.TagFilter)
	setString(q, "desktop_type", string(o.DesktopType))
	setBool(q, "user_attached", o.UserAttached)
	setBool(q, "in_maintenance_mode", o.InMaintenanceMode)
	setString(q, "sort_field", string(o.SortField))
	setString(q, "sort_type", string(o.SortType))
	setInt(q, "offset", o.Offset)
	setInt(q, "limit", o.Limit)
	return q, nil
}
