package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwcloud-go/workspace/internal/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDesktopsService_CheckImages(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// The spec's example response.
	mux.handle("/desktops/check-images", respond(http.StatusOK, `{
"image_infos" : [ {
"desktop_id" : "0730042a-b9c7-4279-bb24-d3fd299a2efe",
"image_id" : "b669106a-1395-4f24-92af-d884c227e558",
"image_type" : "market",
"os_type" : "Windows"
} ]
}`))
	// The spec's example request.
	ids := []string{"f77db5cd-c020-47d4-bbbe-9b979a38d18c", "f77db5cd-c020-47d4-bbbe-9b979a38d18b"}
	got, err := c.Desktops.CheckImages(testContext(t), ids)
	require.NoError(t, err)
	assert.Equal(t, []DesktopImageInfo{{
		DesktopID: "0730042a-b9c7-4279-bb24-d3fd299a2efe",
		ImageID:   "b669106a-1395-4f24-92af-d884c227e558",
		ImageType: "market",
		OSType:    "Windows",
	}}, got)

	r := mux.last(t)
	testMethod(t, r, "POST")
	testPath(t, r, testPrefix+"/desktops/check-images")
	testQuery(t, r, nil)
	testJSONBody(t, r, `{
"desktop_ids" : [ "f77db5cd-c020-47d4-bbbe-9b979a38d18c", "f77db5cd-c020-47d4-bbbe-9b979a38d18b" ]
}`)
	testHeader(t, r, "X-Auth-Token", testToken)
}

func TestDesktopsService_CheckImages_EmptyAnswers(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"null image_infos":   `{"image_infos":null}`,
		"absent image_infos": `{}`,
		"empty image_infos":  `{"image_infos":[]}`,
		"only unknown field": `{"something_new":true}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/desktops/check-images", respond(http.StatusOK, body))
			got, err := c.Desktops.CheckImages(testContext(t), []string{"d1"})
			require.NoError(t, err)
			assert.NotNil(t, got, "an answer without images is an empty slice, not nil")
			assert.Empty(t, got)
		})
	}
}

func TestDesktopsService_CheckImages_UnknownValuesKept(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktops/check-images", respond(http.StatusOK, `{"image_infos":[
		{"desktop_id":"d1","image_id":"","image_name":"Win 11","image_type":"community","os_type":"BeOS","extra":[1,2]},
		{"desktop_id":"d2"}]}`))
	got, err := c.Desktops.CheckImages(testContext(t), []string{"d1", "d2"})
	require.NoError(t, err)
	assert.Equal(t, []DesktopImageInfo{
		{DesktopID: "d1", ImageName: "Win 11", ImageType: "community", OSType: "BeOS"},
		{DesktopID: "d2"},
	}, got)
}

func TestDesktopsService_CheckImages_Limits(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktops/check-images", respond(http.StatusOK, `{"image_infos":[]}`))

	ids := make([]string, MaxCheckImagesDesktops)
	for i := range ids {
		ids[i] = fmt.Sprintf("desktop-%03d", i)
	}
	ids[0] = strings.Repeat("x", MaxDesktopIDLength)
	_, err := c.Desktops.CheckImages(testContext(t), ids)
	require.NoError(t, err, "500 ids and a 255-character id are accepted")

	var body struct {
		DesktopIDs []string `json:"desktop_ids"`
	}
	require.NoError(t, json.Unmarshal(mux.last(t).Body, &body))
	assert.Equal(t, ids, body.DesktopIDs)
}

func TestDesktopsService_List(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *ListDesktopsOptions
		wantQuery url.Values
	}{
		{name: "nil opts", opts: nil},
		{
			// pool_id is one comma-separated string, as the API documents
			// it; the array filters go repeated.
			name: "every filter",
			opts: &ListDesktopsOptions{
				PoolIDs: []string{"p1", "p2"}, Status: DesktopStatusShutoff, UserNames: []string{"alice"},
				ComputerNames: []string{"A", "B"}, DesktopIDs: []string{"d1", "d2"}, DesktopIP: "10.0.0.1",
				ImageID: "img", SubnetID: "sub", AvailabilityZone: "az", EnterpriseProjectID: "0",
				TagFilter: "k=v", DesktopType: DesktopTypeDedicated, UserAttached: boolPtr(false),
				InMaintenanceMode: boolPtr(true), SortField: DesktopSortCreated, SortType: SortTypeAsc,
				Offset: 500, Limit: 500,
			},
			wantQuery: url.Values{
				"pool_id": {"p1,p2"}, "status": {"SHUTOFF"}, "user_names": {"alice"}, "computer_names": {"A", "B"},
				"desktop_id": {"d1", "d2"}, "desktop_ip": {"10.0.0.1"}, "image_id": {"img"}, "subnet_id": {"sub"},
				"availability_zone": {"az"}, "enterprise_project_id": {"0"}, "tag": {"k=v"},
				"desktop_type": {"DEDICATED"}, "user_attached": {"false"}, "in_maintenance_mode": {"true"},
				"sort_field": {"created"}, "sort_type": {"ASC"}, "offset": {"500"}, "limit": {"500"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/desktops/detail", respond(http.StatusOK, `{"total_count": 2, "desktops": [
				{"desktop_id": "d1", "status": "BUILD", "attach_state": "SOMETHING_NEW", "process": null, "created": null,
				 "metadata": null, "data_volumes": null, "root_volume": null, "flavor": null},
				{"desktop_id": "d2", "computer_name": "", "desktop_type": "SHARED", "login_status": "UNREGISTER", "inconsistent_types": null}]}`))
			got, err := c.Desktops.List(testContext(t), tt.opts)
			require.NoError(t, err)
			assert.Equal(t, &Page[Desktop]{TotalCount: 2, Items: []Desktop{
				{ID: "d1", Status: "BUILD", AttachState: "SOMETHING_NEW"},
				{ID: "d2", Type: DesktopTypeShared, LoginStatus: LoginStatusUnregister},
			}}, got, "null decodes to zero, unknown values are kept, and no pool id is made up")
			r := mux.last(t)
			testMethod(t, r, "GET")
			testPath(t, r, testPrefix+"/desktops/detail")
			testQuery(t, r, tt.wantQuery)
			testNoBody(t, r)
		})
	}
}

func TestDesktopsService_AllPages(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktops/detail", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("offset") == "" {
			writeJSON(w, http.StatusOK, `{"total_count": 3, "desktops": [{"desktop_id": "d1"}, {"desktop_id": "d2"}]}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"total_count": 3, "desktops": [{"desktop_id": "d3"}]}`)
	})
	var ids []string
	for d, err := range c.Desktops.All(testContext(t), &ListDesktopsOptions{Limit: 2, PoolIDs: []string{"p1"}}) {
		require.NoError(t, err)
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{"d1", "d2", "d3"}, ids)
	for _, r := range mux.all() {
		assert.Equal(t, "p1", r.Query.Get("pool_id"))
	}
}

func TestDesktopsListValidation(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	ctx := testContext(t)
	var nilCtx context.Context // a nil context, as a careless caller would pass
	for field, opts := range map[string]*ListDesktopsOptions{
		"opts.Limit":         {Limit: 501},
		"opts.Offset":        {Offset: -1},
		"opts.SortType":      {SortField: DesktopSortComputerName},
		"opts.SortField":     {SortType: SortTypeDesc},
		"opts.PoolIDs[1]":    {PoolIDs: []string{"p1", " "}},
		"opts.PoolIDs[0]":    {PoolIDs: []string{"p1,p2"}},
		"opts.UserNames":     {UserNames: make([]string, 101)},
		"opts.DesktopIDs[0]": {DesktopIDs: []string{""}},
	} {
		_, err := c.Desktops.List(ctx, opts)
		assert.Equal(t, field, errorAs[*ValidationError](t, err).Field)
	}
	_, err := c.Desktops.List(nilCtx, nil)
	assert.Equal(t, "ctx", errorAs[*ValidationError](t, err).Field)
	assert.Zero(t, mux.requests())
}

// checkImagesServer answers check-images for any ids, in reverse order,
// leaving out the desktops whose id ends in "-gone"; it counts requests
// and requests in flight. hook, when set, may answer a request itself.
type checkImagesServer struct {
	requests, inFlight, maxInFlight atomic.Int32
	mu                              sync.Mutex
	sizes                           []int
	hook                            func(w http.ResponseWriter, r *http.Request, ids []string) bool
}

func (s *checkImagesServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for m := s.maxInFlight.Load(); n > m && !s.maxInFlight.CompareAndSwap(m, n); m = s.maxInFlight.Load() {
	}
	var body struct {
		DesktopIDs []string `json:"desktop_ids"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.DesktopIDs) > MaxCheckImagesDesktops {
		writeAPIError(w, http.StatusBadRequest, "")
		return
	}
	s.mu.Lock()
	s.sizes = append(s.sizes, len(body.DesktopIDs))
	s.mu.Unlock()
	if s.hook != nil && s.hook(w, r, body.DesktopIDs) {
		return
	}
	time.Sleep(2 * time.Millisecond) // long enough for the chunks to overlap
	var b strings.Builder
	b.WriteString(`{"image_infos":[`)
	first := true
	for i := len(body.DesktopIDs) - 1; i >= 0; i-- {
		id := body.DesktopIDs[i]
		if strings.HasSuffix(id, "-gone") {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		fmt.Fprintf(&b, `{"desktop_id":%q,"image_id":"img-%s"}`, id, id)
	}
	b.WriteString("]}")
	writeJSON(w, http.StatusOK, b.String())
}

func desktopIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("d-%05d", i)
		if i%100 == 7 {
			ids[i] += "-gone"
		}
	}
	return ids
}

// CheckImages takes any number of ids: chunks of 500, up to
// WithConcurrency at once, the answers in the order of the ids given.
func TestCheckImagesInChunks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		ids       []string
		conc      int
		wantSizes []int
	}{
		{name: "one chunk", ids: desktopIDs(500), conc: 8, wantSizes: []int{500}},
		{name: "three chunks, three at once", ids: desktopIDs(1234), conc: 3, wantSizes: []int{234, 500, 500}},
		{name: "eleven chunks, four at once", ids: desktopIDs(5001), conc: 4, wantSizes: []int{1, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500}},
		{name: "three chunks, one at a time", ids: desktopIDs(1001), conc: 1, wantSizes: []int{1, 500, 500}},
		{name: "an id given twice is answered once", ids: []string{"a", "b", "a"}, conc: 8, wantSizes: []int{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := &checkImagesServer{}
			if tt.conc > 1 && len(tt.wantSizes) > 1 {
				// No chunk is answered before two were in flight at once, so that
				// the overlap does not hang on the scheduler.
				srv.hook = func(http.ResponseWriter, *http.Request, []string) bool {
					for deadline := time.Now().Add(5 * time.Second); srv.maxInFlight.Load() < 2 && time.Now().Before(deadline); {
						time.Sleep(100 * time.Microsecond)
					}
					return false
				}
			}
			_, mux := setup(t)
			mux.handle("/desktops/check-images", srv.serve)
			c := mux.client(t, WithConcurrency(tt.conc))
			got, err := c.Desktops.CheckImages(testContext(t), tt.ids)
			require.NoError(t, err)

			var want []string
			seen := map[string]bool{}
			for _, id := range tt.ids {
				if !strings.HasSuffix(id, "-gone") && !seen[id] {
					want = append(want, id)
					seen[id] = true
				}
			}
			gotIDs := make([]string, len(got))
			for i, info := range got {
				gotIDs[i] = info.DesktopID
				require.Equal(t, "img-"+info.DesktopID, info.ImageID)
			}
			assert.Equal(t, want, gotIDs, "the ids' order; the gone left out")
			slices.Sort(srv.sizes)
			assert.Equal(t, tt.wantSizes, srv.sizes)
			assert.LessOrEqual(t, srv.maxInFlight.Load(), int32(tt.conc))
			if tt.conc > 1 && len(tt.wantSizes) > 1 {
				assert.Greater(t, srv.maxInFlight.Load(), int32(1), "chunks overlap")
			}
		})
	}
}

// One chunk's error fails the call and cancels the chunks in flight.
func TestCheckImagesChunkErrorCancelsTheOthers(t *testing.T) {
	t.Parallel()
	srv := &checkImagesServer{}
	var cancelled atomic.Int32
	srv.hook = func(w http.ResponseWriter, r *http.Request, ids []string) bool {
		switch ids[0] {
		case "d-00500": // the second chunk fails once the others are in flight
			assert.Eventually(t, func() bool { return srv.inFlight.Load() == 3 }, 5*time.Second, time.Millisecond)
			w.WriteHeader(http.StatusForbidden)
			return true
		default: // the others hang until the client gives up on them
			<-r.Context().Done()
			cancelled.Add(1)
			return true
		}
	}
	_, mux := setup(t)
	mux.handle("/desktops/check-images", srv.serve)
	c := mux.client(t, WithConcurrency(3))
	got, err := c.Desktops.CheckImages(testContext(t), desktopIDs(5000))
	assert.Nil(t, got)
	assert.ErrorIs(t, err, ErrForbidden)
	assert.NotErrorIs(t, err, context.Canceled, "the chunk's own error, not a cancelled one's")
	assert.EqualValues(t, 3, srv.requests.Load(), "no chunk is started after the failure")
	assert.Eventually(t, func() bool { return cancelled.Load() == 2 }, 5*time.Second, time.Millisecond, "the chunks in flight were cancelled")
}

// A context done before the call fails CheckImages with its error, naming
// the request, however many chunks the ids make, and sends nothing.
func TestCheckImagesContextDoneNamesTheRequest(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 501, 5000} {
		for _, conc := range []int{1, 8} {
			t.Run(fmt.Sprintf("%d ids, concurrency %d", n, conc), func(t *testing.T) {
				t.Parallel()
				srv := &checkImagesServer{}
				_, mux := setup(t)
				mux.handle("/desktops/check-images", srv.serve)
				c := mux.client(t, WithConcurrency(conc))
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				got, err := c.Desktops.CheckImages(ctx, desktopIDs(n))
				assert.Nil(t, got)
				require.ErrorIs(t, err, context.Canceled)
				assert.Equal(t, "workspace: POST "+testPrefix+"/desktops/check-images: context canceled", err.Error())
				assert.Zero(t, srv.requests.Load(), "nothing is sent")
			})
		}
	}
}

// Answers about desktops not asked for come after the others, each
// desktop once, however many chunks carry them.
func TestCheckImagesUnaskedDesktopsOnce(t *testing.T) {
	t.Parallel()
	for _, conc := range []int{1, 4} {
		t.Run(fmt.Sprintf("concurrency %d", conc), func(t *testing.T) {
			t.Parallel()
			srv := &checkImagesServer{}
			srv.hook = func(w http.ResponseWriter, r *http.Request, ids []string) bool {
				var b strings.Builder
				b.WriteString(`{"image_infos":[{"desktop_id":"d-extra","image_id":"img-x"}`)
				for _, id := range ids {
					fmt.Fprintf(&b, `,{"desktop_id":%q,"image_id":"img-%s"}`, id, id)
				}
				b.WriteString(`]}`)
				writeJSON(w, http.StatusOK, b.String())
				return true
			}
			_, mux := setup(t)
			mux.handle("/desktops/check-images", srv.serve)
			c := mux.client(t, WithConcurrency(conc))
			ids := []string{}
			for i := range 1200 {
				ids = append(ids, fmt.Sprintf("d-%04d", i))
			}
			got, err := c.Desktops.CheckImages(testContext(t), ids)
			require.NoError(t, err)
			require.Equal(t, 1201, len(got), "each desktop once")
			for i, id := range ids {
				assert.Equal(t, id, got[i].DesktopID)
			}
			assert.Equal(t, "d-extra", got[1200].DesktopID)
		})
	}
}

// cancelAfterCalls is an Observer that cancels a context once n calls
// have ended, each with its answer in hand.
type cancelAfterCalls struct {
	n      atomic.Int32
	cancel context.CancelFunc
}

func (o *cancelAfterCalls) CallStart(ctx context.Context, _ CallInfo) context.Context { return ctx }
func (o *cancelAfterCalls) AttemptStart(ctx context.Context, _ CallInfo, _ int) context.Context {
	return ctx
}
func (o *cancelAfterCalls) AttemptEnd(context.Context, CallInfo, AttemptResult) {}
func (o *cancelAfterCalls) CallEnd(_ context.Context, _ CallInfo, r CallResult) {
	if r.Err == nil && o.n.Add(-1) == 0 {
		o.cancel()
	}
}

// Once every chunk has its answer, a context that ends before CheckImages
// returns does not throw the answers away: one chunk or many, concurrency 1
// or more, the call succeeds as a single call would.
func TestCheckImagesEveryChunkAnsweredIsASuccess(t *testing.T) {
	t.Parallel()
	for _, n := range []int{500, 1500} {
		for _, conc := range []int{1, 4} {
			t.Run(fmt.Sprintf("%d ids, concurrency %d", n, conc), func(t *testing.T) {
				t.Parallel()
				srv := &checkImagesServer{}
				_, mux := setup(t)
				mux.handle("/desktops/check-images", srv.serve)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				obs := &cancelAfterCalls{cancel: cancel}
				obs.n.Store(int32((n + MaxCheckImagesDesktops - 1) / MaxCheckImagesDesktops))
				c := mux.client(t, WithConcurrency(conc), WithObserver(obs))
				got, err := c.Desktops.CheckImages(ctx, desktopIDs(n))
				require.NoError(t, err)
				assert.NotEmpty(t, got)
				require.Error(t, ctx.Err(), "the context ended before CheckImages returned")
			})
		}
	}
}

// An id given in two chunks is answered once, at its first place, and the
// answers of chunks that came back out of order are put in the ids' order:
// for the chunks ordered one by one as they arrive and for the whole call
// ordered at the end alike.
func TestCheckImagesOrderAcrossChunks(t *testing.T) {
	t.Parallel()
	ids := make([]string, 0, 1201)
	for i := range 1200 {
		ids = append(ids, fmt.Sprintf("d-%04d", i))
	}
	for _, tt := range []struct {
		name string
		ids  []string
	}{
		{"distinct ids, each chunk answered backwards", ids},
		{"an id given again in a later chunk", append(slices.Clone(ids), "d-0003")},
	} {
		for _, conc := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s, concurrency %d", tt.name, conc), func(t *testing.T) {
				t.Parallel()
				srv := &checkImagesServer{}
				srv.hook = func(w http.ResponseWriter, r *http.Request, asked []string) bool {
					var b strings.Builder
					b.WriteString(`{"image_infos":[`)
					for k := len(asked) - 1; k >= 0; k-- {
						if k < len(asked)-1 {
							b.WriteByte(',')
						}
						fmt.Fprintf(&b, `{"desktop_id":%q,"image_id":"img-%s"}`, asked[k], asked[k])
					}
					b.WriteString(`]}`)
					writeJSON(w, http.StatusOK, b.String())
					return true
				}
				_, mux := setup(t)
				mux.handle("/desktops/check-images", srv.serve)
				c := mux.client(t, WithConcurrency(conc))
				got, err := c.Desktops.CheckImages(testContext(t), tt.ids)
				require.NoError(t, err)
				require.Len(t, got, 1200, "each desktop once")
				for i, id := range ids {
					assert.Equal(t, id, got[i].DesktopID)
					assert.Equal(t, "img-"+id, got[i].ImageID)
				}
			})
		}
	}
}

// A chunk's answers are ordered on their own when each names a desktop of
// the chunk once, whatever their order; otherwise (a desktop twice, one not
// asked, more answers than ids) the chunk says so with -1 and the whole
// call is ordered at the end.
func TestPlaceInOrder(t *testing.T) {
	t.Parallel()
	ids := []string{"a", "b", "c", "d"}
	infos := func(names ...string) []wire.ImageInfo {
		out := make([]wire.ImageInfo, len(names))
		for i, n := range names {
			out[i] = wire.ImageInfo{DesktopID: n, ImageID: "img-" + n}
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		answers []wire.ImageInfo
		want    []string // nil: not ordered on its own
	}{
		{"in order", infos("a", "b", "c", "d"), []string{"a", "b", "c", "d"}},
		{"in order with gaps", infos("b", "d"), []string{"b", "d"}},
		{"none", infos(), []string{}},
		{"backwards", infos("d", "c", "a"), []string{"a", "c", "d"}},
		{"in order, then back", infos("a", "c", "b"), []string{"a", "b", "c"}},
		{"twice in a row", infos("a", "a"), nil},
		{"twice apart", infos("a", "c", "a"), nil},
		{"not asked", infos("a", "x"), nil},
		{"not asked first", infos("x", "a"), nil},
		{"more answers than ids", infos("a", "b", "c", "d", "a"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dst := make([]DesktopImageInfo, len(ids))
			n := placeInOrder(dst, ids, tt.answers)
			if tt.want == nil {
				assert.Equal(t, -1, n)
				return
			}
			require.Equal(t, len(tt.want), n)
			names := make([]string, n)
			for i, g := range dst[:n] {
				names[i] = g.DesktopID
				assert.Equal(t, "img-"+g.DesktopID, g.ImageID, "the answer stays with its desktop")
			}
			assert.Equal(t, tt.want, names)
		})
	}
}

// The chunks' answers, each at its chunk's start, are moved together:
// gaps (desktops without an answer) closed, order kept.
func TestJoinPlaced(t *testing.T) {
	t.Parallel()
	mk := func(names ...string) []DesktopImageInfo {
		out := make([]DesktopImageInfo, len(names))
		for i, n := range names {
			out[i] = DesktopImageInfo{DesktopID: n}
		}
		return out
	}
	parts := [][2]int{{0, 3}, {3, 6}, {6, 7}}
	for _, tt := range []struct {
		name   string
		all    []DesktopImageInfo
		placed []int
		want   []string
	}{
		{"full", mk("a", "b", "c", "d", "e", "f", "g"), []int{3, 3, 1}, []string{"a", "b", "c", "d", "e", "f", "g"}},
		{"gaps", mk("a", "", "", "d", "e", "", ""), []int{1, 2, 0}, []string{"a", "d", "e"}},
		{"first empty", mk("", "", "", "d", "", "", "g"), []int{0, 1, 1}, []string{"d", "g"}},
		{"none", mk("", "", "", "", "", "", ""), []int{0, 0, 0}, []string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := joinPlaced(tt.all, parts, tt.placed)
			names := make([]string, len(got))
			for i, g := range got {
				names[i] = g.DesktopID
			}
			assert.Equal(t, tt.want, names)
			assert.NotNil(t, got, "no answer is an empty slice, not nil")
			if len(got) < len(tt.all)/2 {
				assert.Equal(t, len(got), cap(got), "few answers do not keep room for every id")
			}
		})
	}
}

// hostileImages answers a chunk of check-images as a careless or hostile
// server might, chosen by mode: in order with gaps, shuffled, a desktop
// twice (with different images), a desktop not asked, a desktop of another
// chunk, nothing, null, a null entry, more answers than ids.
func hostileImages(asked, others []string, mode int, rng *rand.Rand) string {
	type entry struct {
		id, image string
		null      bool
	}
	var es []entry
	for _, id := range asked {
		if rng.IntN(4) != 0 {
			es = append(es, entry{id: id, image: "img-" + id})
		}
	}
	switch mode {
	case 0: // as asked, with gaps
	case 1:
		rng.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
	case 2:
		if len(es) > 0 {
			k := rng.IntN(len(es))
			es = slices.Insert(es, rng.IntN(len(es)+1), entry{id: es[k].id, image: "dup-" + es[k].id})
		}
	case 3:
		es = slices.Insert(es, rng.IntN(len(es)+1), entry{id: "not-asked", image: "img-not-asked"})
	case 4:
		if len(others) > 0 {
			o := others[rng.IntN(len(others))]
			es = slices.Insert(es, rng.IntN(len(es)+1), entry{id: o, image: "other-" + o})
		}
	case 5:
		es = nil
	case 6:
		return `{"image_infos":null}`
	case 7:
		es = slices.Insert(es, rng.IntN(len(es)+1), entry{null: true})
	case 8:
		for _, id := range asked {
			es = append(es, entry{id: id, image: "again-" + id})
		}
		rng.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
	}
	var b strings.Builder
	b.WriteString(`{"image_infos":[`)
	for i, e := range es {
		if i > 0 {
			b.WriteByte(',')
		}
		if e.null {
			b.WriteString("null")
			continue
		}
		fmt.Fprintf(&b, `{"desktop_id":%q,"image_id":%q,"os_type":"Linux"}`, e.id, e.image)
	}
	b.WriteString(`]}`)
	return b.String()
}

// Whatever a server answers each chunk, CheckImages gives what ordering
// the whole call's answers at the end gives (inOrder over the chunks'
// answers in chunk order): the chunks placed in the one slice as they
// arrive, the fast walk, the fallbacks, at every concurrency, with ids
// repeated across chunks or not, 1 to 10,001 ids.
func TestCheckImagesHostileAnswersAsWholeCallOrder(t *testing.T) {
	t.Parallel()
	mkIDs := func(n int, repeat bool) []string {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("d-%05d", i)
			if repeat && i%301 == 300 {
				ids[i] = ids[i/7] // an id of an earlier chunk, often
			}
		}
		return ids
	}
	type tc struct {
		ids   []string
		conc  int
		seeds int
	}
	var cases []tc
	for _, conc := range []int{1, 2, 8, 64} {
		cases = append(cases,
			tc{mkIDs(1, false), conc, 18},
			tc{mkIDs(501, false), conc, 18},
			tc{mkIDs(1100, false), conc, 18},
			tc{mkIDs(1100, true), conc, 6},
		)
	}
	cases = append(cases, tc{mkIDs(10001, false), 8, 2}, tc{mkIDs(10001, true), 64, 1})
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d ids, repeats %v, concurrency %d", len(c.ids), hasDuplicates(c.ids), c.conc), func(t *testing.T) {
			t.Parallel()
			for seed := range c.seeds {
				var mu sync.Mutex
				sent := map[string][]wire.ImageInfo{} // by the chunk's ids
				_, mux := setup(t)
				mux.handle("/desktops/check-images", func(w http.ResponseWriter, r *http.Request) {
					var req wire.CheckImagesRequest
					if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
						writeAPIError(w, http.StatusBadRequest, "")
						return
					}
					key := strings.Join(req.DesktopIDs, "\x00")
					h := fnv.New64a()
					_, _ = h.Write([]byte(key))
					rng := rand.New(rand.NewPCG(h.Sum64(), uint64(seed)))
					// Even seeds: answers every chunk can place on its
					// own (the fast path); odd ones: every mode, for
					// chunks at any place.
					mode := []int{0, 1, 5, 6}[rng.IntN(4)]
					if seed%2 == 1 {
						mode = (seed/2 + rng.IntN(2)) % 9
					}
					body := hostileImages(req.DesktopIDs, c.ids, mode, rng)
					var ans wire.Images
					require.NoError(t, json.Unmarshal([]byte(body), &ans))
					mu.Lock()
					sent[key] = ans.ImageInfos
					mu.Unlock()
					writeJSON(w, http.StatusOK, body)
				})
				cl := mux.client(t, WithConcurrency(c.conc))
				got, err := cl.Desktops.CheckImages(testContext(t), c.ids)
				require.NoError(t, err)
				var answers [][]wire.ImageInfo
				for _, p := range chunks(len(c.ids), MaxCheckImagesDesktops) {
					a, ok := sent[strings.Join(c.ids[p[0]:p[1]], "\x00")]
					require.True(t, ok, "chunk %v asked", p)
					answers = append(answers, a)
				}
				want := imagesFromWire(inOrder(c.ids, slices.Concat(answers...)))
				require.Equal(t, want, got, "seed %d", seed)
			}
		})
	}
}
