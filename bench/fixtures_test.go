package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// Identifiers the server expects and every implementation sends.
const (
	benchProjectID = "0bec5db98280d2d02fd6c00c2de791ce"
	benchPoolID    = "6a2e1bd1-aa4b-4e5c-8a7d-2c8b2c9bb0e1"
	benchToken     = "MIIYXQYJKoZIhvcNAQcCoIIYTjCCGEoCAQExDTALBglghkgBZQMEAgEwghZvBgkqhkiG9w0BBwGgghZgBIIWXHsidG9rZW4iOnsiZXhwaXJlc19hdCI6IjIwMjQtMDQtMjFUMDg6MzY6MTYuMDAwMDAwWiIsIm1ldGhvZHMiOlsicGFzc3dvcmQiXX19"
	benchAK        = "HPUABENCHMARKACCESSKEY"
	benchSK        = "benchmarkSecretKeyNotARealOne0000000000"
	benchSnapshots = 1000 // the largest page; smaller pages are its prefixes
)

// The pre-encoded bodies the server hands out.
var (
	statsBody = []byte(`{"product_id":2,"image_id":2,"disk_num":3,"disk_size":4}`)
	// snapshotBodies maps the limit query value to its page.
	snapshotBodies = map[string][]byte{}
)

// fixtureSnapshot is how the server encodes a snapshot: optional fields
// are left out as the API does when they have no value.
type fixtureSnapshot struct {
	SnapshotID        string `json:"snapshot_id"`
	SnapshotName      string `json:"snapshot_name"`
	DesktopID         string `json:"desktop_id"`
	DesktopName       string `json:"desktop_name"`
	DesktopSID        string `json:"desktop_sid"`
	DesktopPoolID     string `json:"desktop_pool_id,omitempty"`
	IsSystemDisk      bool   `json:"is_system_disk"`
	Status            string `json:"status"`
	Process           *int   `json:"process,omitempty"`
	Description       string `json:"description"`
	CreateTime        string `json:"create_time"`
	LastRestoreTime   string `json:"last_restore_time,omitempty"`
	CreateType        string `json:"create_type"`
	RestoreFailReason string `json:"restore_fail_reason,omitempty"`
}

func init() {
	snaps := makeFixtureSnapshots(benchSnapshots)
	for _, n := range []int{1, 100, 1000} {
		b, err := json.Marshal(struct {
			TotalCount int               `json:"total_count"`
			Snapshots  []fixtureSnapshot `json:"desktop_snapshots"`
		}{benchSnapshots, snaps[:n]})
		if err != nil {
			panic(err)
		}
		snapshotBodies[strconv.Itoa(n)] = b
	}
}

// makeFixtureSnapshots makes n snapshots with realistic, deterministic
// values: uuids, desktop names, millisecond-stamped snapshot names, UTC
// times, mostly successful statuses with a few running, failed and
// restored ones.
func makeFixtureSnapshots(n int) []fixtureSnapshot {
	rng := rand.New(rand.NewPCG(7, 2024))
	uuid := func() string {
		var b [16]byte
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	const desktops = 120
	type desktop struct{ id, name, sid, pool string }
	ds := make([]desktop, desktops)
	pools := []string{uuid(), uuid(), uuid(), ""}
	prefixes := []string{"xzx", "dev-ws-", "fin-", "ops-desk-", "AA", "hr-pc-"}
	for i := range ds {
		ds[i] = desktop{
			id:   uuid(),
			name: prefixes[i%len(prefixes)] + fmt.Sprintf("%02d", i),
			sid:  uuid(),
			pool: pools[i%len(pools)],
		}
	}
	descriptions := []string{"Description.", "", "nightly backup before patching", "manual snapshot before upgrading the office suite"}
	base := time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)
	out := make([]fixtureSnapshot, n)
	for i := range out {
		d := ds[rng.IntN(desktops)]
		created := base.Add(-time.Duration(rng.IntN(90*24*3600)) * time.Second)
		millis := created.UnixMilli() + int64(rng.IntN(1000))
		s := fixtureSnapshot{
			SnapshotID:    uuid(),
			DesktopID:     d.id,
			DesktopName:   d.name,
			DesktopSID:    d.sid,
			DesktopPoolID: d.pool,
			IsSystemDisk:  rng.IntN(3) != 0,
			Status:        "create_success",
			Description:   descriptions[rng.IntN(len(descriptions))],
			CreateTime:    created.Format("2006-01-02T15:04:05Z"),
			CreateType:    "MANUALLY",
		}
		if rng.IntN(2) == 0 {
			s.CreateType = "AUTO"
			s.SnapshotName = "AUTOCREATED_" + d.name + "_" + strconv.FormatInt(millis, 10)
		} else {
			disk := "data"
			if s.IsSystemDisk {
				disk = "sys"
			}
			s.SnapshotName = disk + created.Format("0102") + "_" + d.name + "_" + strconv.FormatInt(millis, 10)
		}
		switch r := rng.IntN(100); {
		case r < 3:
			s.Status = "creating"
			p := rng.IntN(100)
			s.Process = &p
		case r < 5:
			s.Status = "create_failed"
		case r < 15:
			s.Status = "restore_success"
			s.LastRestoreTime = created.Add(time.Duration(1+rng.IntN(72)) * time.Hour).Format("2006-01-02T15:04:05Z")
		case r < 17:
			s.Status = "restore_failed"
			s.LastRestoreTime = created.Add(time.Duration(1+rng.IntN(72)) * time.Hour).Format("2006-01-02T15:04:05Z")
			s.RestoreFailReason = "The desktop is not stopped."
		}
		out[i] = s
	}
	return out
}

// newBenchServer serves the pre-encoded bodies on loopback. It checks
// that a request carries credentials and a known limit, and answers as an
// API gateway would: JSON with a request id and a Content-Length.
func newBenchServer() *httptest.Server {
	statsPath := "/v2/" + benchProjectID + "/desktop-pools/" + benchPoolID + "/inconsistent-statics"
	snapsPath := "/v2/" + benchProjectID + "/snapshots"
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") == "" && !strings.HasPrefix(r.Header.Get("Authorization"), "SDK-HMAC-SHA256 ") {
			http.Error(w, `{"error_code":"WKS.0401","error_msg":"no credentials"}`, http.StatusUnauthorized)
			return
		}
		var body []byte
		switch {
		case r.Method == http.MethodGet && r.URL.Path == statsPath:
			body = statsBody
		case r.Method == http.MethodGet && r.URL.Path == snapsPath:
			body = snapshotBodies[r.URL.Query().Get("limit")]
		}
		if body == nil {
			http.Error(w, `{"error_code":"WKS.0404","error_msg":"not found"}`, http.StatusNotFound)
			return
		}
		h := w.Header()
		h["Content-Type"] = []string{"application/json;charset=UTF-8"}
		h["X-Request-Id"] = []string{"0d7c3b5e2a9f4f1c8e6b4a2d0c9e8f7a"}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
		_, _ = w.Write(body)
	}))
}
