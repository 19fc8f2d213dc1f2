package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// specSnapshots is the example response of the API reference.
const specSnapshots = `{ "total_count" : 2, "desktop_snapshots" : [ { "snapshot_id" : "eed156d9-02a5-46f5-8eb1-54f09ab9fbae", "snapshot_name" : "sys0420_xzx03_1713602176593", "desktop_id" : "7163a7ba-fc09-4238-ab73-0689ea7f54c3", "desktop_name" : "xzx03", "desktop_sid" : "22ad6780-3236-4838-b509-8068d254e9de", "is_system_disk" : true, "status" : "create_success", "description" : "Description.", "create_time" : "2024-04-20T08:36:16Z", "create_type" : "MANUALLY" }, { "snapshot_id" : "a7e996da-20db-4de8-8aff-4c8e4c6d5ed3", "snapshot_name" : "AUTOCREATED_AA_1713595811910", "desktop_id" : "a3e8d0d0-79df-413d-a327-d702a4fb2e15", "desktop_name" : "AA", "desktop_sid" : "1346b13d-d3e4-4965-bfb4-5bb880bf7dbf", "is_system_disk" : false, "status" : "create_success", "description" : "Description.", "create_time" : "2024-04-20T06:50:11Z", "create_type" : "AUTO" } ] }`

// specTasks is a task page in the documented form.
const specTasks = `{"total_count":2,"script_execution_tasks":[{"id":"b1e9d5c2-4f7a-4c1e-9a57-0e7f5d3c2a11","desktop_pool_id":"6a2e1bd1-aa4b-4e5c-8a7d-2c8b2c9bb0e1","desktop_pool_name":"pool-01","scripts":[{"id":"s-1","name":"install.ps1"},{"id":"s-2","name":"cleanup.ps1"}],"command_content":"","command_type":"POWERSHELL","start_time":"2024-04-20T08:36:16Z","end_time":"2024-04-20T08:40:02Z","status":"FINISH","success_num":9,"failed_num":1,"skip_num":0},{"id":"c2","desktop_pool_id":"p","desktop_pool_name":"池-二","scripts":[],"command_content":"echo hi","command_type":"SHELL","start_time":"2024-04-21T00:00:00Z","end_time":"","status":"RUNNING","success_num":0,"failed_num":0,"skip_num":0}]}`

// makeSnapshotPage makes a page of n snapshots in the API's form:
// optional fields sometimes absent, sometimes null, non-ASCII names.
func makeSnapshotPage(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"total_count":%d,"desktop_snapshots":[`, n*3)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"snapshot_id":"%08x-02a5-46f5-8eb1-54f09ab9fbae","snapshot_name":"sys_%d_1713602176593",`, i, i)
		fmt.Fprintf(&b, `"desktop_id":"7163a7ba-fc09-4238-ab73-%012d","desktop_name":"桌面-%d","desktop_sid":"sid-%d",`, i%7, i%7, i%7)
		if i%3 == 0 {
			fmt.Fprintf(&b, `"desktop_pool_id":"pool-%d",`, i%2)
		}
		fmt.Fprintf(&b, `"is_system_disk":%t,`, i%2 == 0)
		switch i % 5 {
		case 0:
			b.WriteString(`"status":"creating","process":42,`)
		case 1:
			b.WriteString(`"status":"restore_failed","process":null,"restore_fail_reason":"disk busy",`)
		case 2:
			b.WriteString(`"status":"restore_success","last_restore_time":"2024-02-29T23:59:59Z",`)
		default:
			b.WriteString(`"status":"create_success",`)
		}
		fmt.Fprintf(&b, `"description":"Description %d.","create_time":"2024-04-%02dT08:36:%02dZ","create_type":"AUTO"}`, i, 1+i%28, i%60)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// checkFast is the differential property: when the fast path takes data,
// encoding/json takes it too with the same result; when encoding/json
// rejects it, the fast path has rejected it (leaving its output as it
// was). It reports whether the fast path took data.
func checkFast[T any, P interface {
	*T
	DecodeFast([]byte) bool
}](t *testing.T, data []byte) bool {
	t.Helper()
	in := bytes.Clone(data)
	var fast, slow, zero T
	ok := P(&fast).DecodeFast(in)
	err := json.Unmarshal(data, &slow)
	if !ok {
		if !reflect.DeepEqual(fast, zero) {
			t.Fatalf("fast path declined %q but changed its output", data)
		}
		return false
	}
	if err != nil {
		t.Fatalf("fast path took %q, encoding/json: %v", data, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast path differs on %q:\nfast %#v\njson %#v", data, fast, slow)
	}
	// No string may alias the (pooled) input.
	for i := range in {
		in[i] = 'X'
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast path result aliases its input %q", data)
	}
	return true
}

func checkSnapshots(t *testing.T, data []byte) bool {
	t.Helper()
	return checkFast[SnapshotPage](t, data)
}
func checkTasks(t *testing.T, data []byte) bool  { t.Helper(); return checkFast[TaskPage](t, data) }
func checkImages(t *testing.T, data []byte) bool { t.Helper(); return checkFast[Images](t, data) }
func checkStatistics(t *testing.T, data []byte) bool {
	t.Helper()
	return checkFast[Statistics](t, data)
}

// snapshotCases are bodies and whether the fast path takes them.
var snapshotCases = []struct {
	name string
	body string
	fast bool
}{
	{"spec example", specSnapshots, true},
	{"empty object", `{}`, true},
	{"empty list", `{"total_count":0,"desktop_snapshots":[]}`, true},
	{"null list", `{"total_count":0,"desktop_snapshots":null}`, true},
	{"null element", `{"desktop_snapshots":[null,{}]}`, true},
	{"white space everywhere", " \t\r\n{ \"total_count\" :\n7 , \"desktop_snapshots\" : [ { } ] } \n", true},
	{"null fields", `{"total_count":null,"desktop_snapshots":[{"snapshot_id":null,"is_system_disk":null,"process":null,"create_time":null,"last_restore_time":null,"status":null}]}`, true},
	{"process values", `{"desktop_snapshots":[{"process":0},{"process":100},{"process":-3},{"process":null},{}]}`, true},
	{"empty time", `{"desktop_snapshots":[{"create_time":"","last_restore_time":""}]}`, true},
	{"leap day", `{"desktop_snapshots":[{"create_time":"2024-02-29T00:00:00Z"}]}`, true},
	{"unknown fields skipped", `{"x":1,"desktop_snapshots":[{"snapshot_id":"a","extra":{"a":[1,-2.5e+3,true,false,null,"s",{"b":{}}],"c":[]},"n":0.5,"e":1E9,"z":-0}],"y":[[],[[]]],"w":"é"}`, true},
	{"unknown status kept", `{"desktop_snapshots":[{"status":"frozen","create_type":"SOMETIMES"}]}`, true},
	{"unicode strings", `{"desktop_snapshots":[{"desktop_name":"桌面 ü 🙂","description":"\u007f"}]}`, false}, // has an escape
	{"raw DEL and unicode", "{\"desktop_snapshots\":[{\"desktop_name\":\"桌面 ü 🙂\",\"description\":\"\x7f\"}]}", true},
	{"max int", `{"total_count":9223372036854775807}`, false}, // 19 digits: left to encoding/json
	{"18 digits", `{"total_count":-999999999999999999}`, true},

	{"escape in value", `{"desktop_snapshots":[{"snapshot_name":"a\"b"}]}`, false},
	{"escape in key", `{"desktop_snapshots":[{"snapshot\u005fid":"a"}]}`, false},
	{"escape in skipped value", `{"x":"a\\b"}`, false},
	{"control byte", "{\"desktop_snapshots\":[{\"snapshot_name\":\"a\tb\"}]}", false},
	{"invalid UTF-8", "{\"desktop_snapshots\":[{\"snapshot_name\":\"a\xffb\"}]}", false},
	{"surrogate in UTF-8", "{\"desktop_snapshots\":[{\"snapshot_name\":\"\xed\xa0\x80\"}]}", false},
	{"key differs in case", `{"Total_Count":3}`, false},
	{"inner key differs in case", `{"desktop_snapshots":[{"Snapshot_ID":"a"}]}`, false},
	{"non-ASCII key", `{"desktop_snapſnapshots":[]}`, false},
	{"kelvin key", "{\"desktop_snapshots\":[{\"\u212aey\":1,\"snapshot_id\":\"a\"}]}", false},
	{"duplicate key", `{"total_count":1,"total_count":2}`, false},
	{"duplicate list", `{"desktop_snapshots":[{}],"desktop_snapshots":[]}`, false},
	{"duplicate inner key", `{"desktop_snapshots":[{"status":"a","status":"b"}]}`, false},
	{"fraction", `{"total_count":1.0}`, false},
	{"exponent", `{"total_count":1e2}`, false},
	{"plus", `{"total_count":+1}`, false},
	{"leading zero", `{"total_count":01}`, false},
	{"minus zero", `{"total_count":-0}`, false},
	{"process fraction", `{"desktop_snapshots":[{"process":50.5}]}`, false},
	{"string for int", `{"total_count":"3"}`, false},
	{"number for string", `{"desktop_snapshots":[{"snapshot_id":3}]}`, false},
	{"string for bool", `{"desktop_snapshots":[{"is_system_disk":"true"}]}`, false},
	{"object for list", `{"desktop_snapshots":{}}`, false},
	{"time with offset", `{"desktop_snapshots":[{"create_time":"2024-04-20T08:36:16+08:00"}]}`, true},
	{"time with fraction", `{"desktop_snapshots":[{"create_time":"2024-04-20T08:36:16.5Z"}]}`, true},
	{"time without zone", `{"desktop_snapshots":[{"create_time":"2024-04-20T08:36:16.123"}]}`, true},
	{"time with a space", `{"desktop_snapshots":[{"create_time":"2024-04-20 08:36:16"}]}`, true},
	{"time with a space and an offset", `{"desktop_snapshots":[{"last_restore_time":"2024-04-20 08:36:16.25-03:30"}]}`, true},
	{"time with an escape", `{"desktop_snapshots":[{"create_time":"2024-04-20T08:36:16\u005a"}]}`, false},
	{"time with a slash", `{"desktop_snapshots":[{"create_time":"2024/04/20 08:36:16"}]}`, false},
	{"time without seconds", `{"desktop_snapshots":[{"create_time":"2024-04-20T08:36Z"}]}`, false},
	{"bad time", `{"desktop_snapshots":[{"create_time":"2024-02-30T00:00:00Z"}]}`, false},
	{"number for time", `{"desktop_snapshots":[{"create_time":0}]}`, false},
	{"deep nesting", `{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, false},
	{"trailing data", `{} {}`, false},
	{"trailing comma", `{"desktop_snapshots":[{},]}`, false},
	{"top-level array", `[]`, false},
	{"top-level null", `null`, false},
	{"truncated", `{"desktop_snapshots":[{"snapshot_id":"a"`, false},
	{"bad literal", `{"x":tru}`, false},
	{"bad number", `{"x":1.}`, false},
	{"empty", ``, false},
}

func TestFastDecodeSnapshotPageCases(t *testing.T) {
	t.Parallel()
	for _, tc := range snapshotCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.fast, checkSnapshots(t, []byte(tc.body)))
		})
	}
}

func TestFastDecodeSnapshotPageRealistic(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 100, 1000} {
		data := makeSnapshotPage(n)
		require.True(t, checkSnapshots(t, data), "%d snapshots", n)
		var p SnapshotPage
		require.True(t, p.DecodeFast(data))
		assert.Len(t, p.Snapshots, n)
		assert.Equal(t, 3*n, p.TotalCount)
	}
}

func TestFastDecodeSnapshotPageValues(t *testing.T) {
	t.Parallel()
	var p SnapshotPage
	require.True(t, p.DecodeFast([]byte(specSnapshots)))
	require.Len(t, p.Snapshots, 2)
	s := p.Snapshots[0]
	assert.Equal(t, "eed156d9-02a5-46f5-8eb1-54f09ab9fbae", s.ID)
	assert.Equal(t, "sys0420_xzx03_1713602176593", s.Name)
	assert.True(t, s.IsSystemDisk)
	assert.Equal(t, "create_success", s.Status)
	assert.Equal(t, "MANUALLY", s.CreateType)
	assert.Nil(t, s.Process)
	assert.Equal(t, "2024-04-20T08:36:16Z", s.CreateTime.Time().Format(Layout))
	assert.True(t, s.LastRestoreTime.Time().IsZero())
	assert.Equal(t, 2, p.TotalCount)

	var q SnapshotPage
	require.True(t, q.DecodeFast([]byte(`{"desktop_snapshots":[{"process":7}]}`)))
	require.NotNil(t, q.Snapshots[0].Process)
	assert.Equal(t, 7, *q.Snapshots[0].Process)
}

func TestFastDecodeSnapshotPageDeclineLeavesOutput(t *testing.T) {
	t.Parallel()
	p := SnapshotPage{TotalCount: 5}
	assert.False(t, p.DecodeFast([]byte(`{"total_count":1,"desktop_snapshots":[{}],"x":1.}`)))
	assert.Equal(t, SnapshotPage{TotalCount: 5}, p)
}

var taskCases = []struct {
	name string
	body string
	fast bool
}{
	{"documented", specTasks, true},
	{"empty", `{}`, true},
	{"null list and scripts", `{"script_execution_tasks":[{"scripts":null},null],"total_count":null}`, true},
	{"script elements", `{"script_execution_tasks":[{"scripts":[null,{},{"id":"a","name":"b","extra":[1]}]}]}`, true},
	{"null fields", `{"script_execution_tasks":[{"id":null,"start_time":null,"end_time":null,"success_num":null,"command_type":null,"status":null}]}`, true},
	{"unknown task fields", `{"script_execution_tasks":[{"id":"a","owner":{"name":"x"},"tags":["a","b"]}],"request_id":"r"}`, true},

	{"script key case", `{"script_execution_tasks":[{"scripts":[{"ID":"a"}]}]}`, false},
	{"task key case", `{"script_execution_tasks":[{"Status":"FINISH"}]}`, false},
	{"duplicate scripts", `{"script_execution_tasks":[{"scripts":[],"scripts":[{"id":"a"}]}]}`, false},
	{"duplicate script id", `{"script_execution_tasks":[{"scripts":[{"id":"a","id":"b"}]}]}`, false},
	{"scripts object", `{"script_execution_tasks":[{"scripts":{}}]}`, false},
	{"script number", `{"script_execution_tasks":[{"scripts":[1]}]}`, false},
	{"count fraction", `{"script_execution_tasks":[{"success_num":1.5}]}`, false},
	{"bool for int", `{"script_execution_tasks":[{"failed_num":true}]}`, false},
	{"escape", `{"script_execution_tasks":[{"command_content":"echo \"hi\""}]}`, false},
	{"time without zone", `{"script_execution_tasks":[{"start_time":"2024-04-20T08:36:16"}]}`, true},
	{"placeholder time", `{"script_execution_tasks":[{"start_time":"string"}]}`, false},
}

func TestFastDecodeTaskPageCases(t *testing.T) {
	t.Parallel()
	for _, tc := range taskCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.fast, checkTasks(t, []byte(tc.body)))
		})
	}
}

func TestFastDecodeTaskPageValues(t *testing.T) {
	t.Parallel()
	var p TaskPage
	require.True(t, p.DecodeFast([]byte(specTasks)))
	require.Len(t, p.Tasks, 2)
	task := p.Tasks[0]
	assert.Equal(t, []Script{{ID: "s-1", Name: "install.ps1"}, {ID: "s-2", Name: "cleanup.ps1"}}, task.Scripts)
	assert.Equal(t, "POWERSHELL", task.CommandType)
	assert.Equal(t, "FINISH", task.Status)
	assert.Equal(t, 9, task.SuccessNum)
	assert.Equal(t, 1, task.FailedNum)
	assert.Equal(t, "2024-04-20T08:40:02Z", task.EndTime.Time().Format(Layout))
	second := p.Tasks[1]
	assert.Equal(t, "池-二", second.DesktopPoolName)
	assert.NotNil(t, second.Scripts)
	assert.Empty(t, second.Scripts)
	assert.True(t, second.EndTime.Time().IsZero())
}

// fuzzSeeds are seeds common to both fuzz targets.
func fuzzSeeds(f *testing.F) {
	f.Add([]byte(specSnapshots))
	f.Add([]byte(specTasks))
	f.Add(makeSnapshotPage(3))
	for _, tc := range snapshotCases {
		f.Add([]byte(tc.body))
	}
	for _, tc := range taskCases {
		f.Add([]byte(tc.body))
	}
}

func FuzzFastDecodeSnapshotPage(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSnapshots(t, data)
		// The same bytes as choices of docGen: documents the fast
		// path mostly takes, explored by the fuzzer's coverage.
		checkSnapshots(t, []byte(bytesGen(data).snapshotPage()))
	})
}

func FuzzFastDecodeImages(f *testing.F) {
	fuzzSeeds(f)
	f.Add([]byte(`{"image_infos":[{"desktop_id":"d","image_id":"i","image_name":"n","image_type":"gold","os_type":"Windows"},null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkImages(t, data)
		checkImages(t, []byte(bytesGen(data).images()))
	})
}

func FuzzFastDecodeTaskPage(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkTasks(t, data)
		checkTasks(t, []byte(bytesGen(data).taskPage()))
	})
}

func FuzzFastDecodeStatistics(f *testing.F) {
	fuzzSeeds(f)
	for _, tc := range statisticsCases {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStatistics(t, data)
		checkStatistics(t, []byte(bytesGen(data).statistics()))
	})
}

// statisticsCases are statistics bodies and whether the fast path takes
// them.
var statisticsCases = []struct {
	name string
	body string
	fast bool
}{
	{"spec example", `{"product_id": 1, "image_id": 0, "disk_num": 2, "disk_size": 3}`, true},
	{"compact", `{"product_id":1,"image_id":2,"disk_num":3,"disk_size":4}`, true},
	{"empty object", `{}`, true},
	{"null fields", `{"product_id":null,"disk_size":7}`, true},
	{"unknown key", `{"product_id":1,"new_field":{"a":[1,2]},"disk_num":3}`, true},
	{"negative", `{"image_id":-5}`, true},
	{"surrounding space", " \n{ \"disk_num\" : 9 }\t", true},
	{"null body", `null`, false},
	{"empty body", ``, false},
	{"array", `[]`, false},
	{"fraction", `{"product_id":1.5}`, false},
	{"exponent", `{"product_id":1e2}`, false},
	{"string number", `{"product_id":"1"}`, false},
	{"overflow", `{"product_id":99999999999999999999}`, false},
	{"key twice", `{"disk_num":1,"disk_num":2}`, false},
	{"key in other case", `{"Product_ID":1}`, false},
	{"trailing data", `{"disk_num":1} {}`, false},
	{"truncated", `{"disk_num":1`, false},
	{"HTML", `<html>bad gateway</html>`, false},
}

func TestFastDecodeStatistics(t *testing.T) {
	t.Parallel()
	for _, tc := range statisticsCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.fast, checkStatistics(t, []byte(tc.body)))
		})
	}
}

func BenchmarkFastDecodeStatistics(b *testing.B) {
	data := []byte(statisticsCases[0].body)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var s Statistics
			if !s.DecodeFast(data) {
				b.Fatal("declined")
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var s Statistics
			if err := json.Unmarshal(data, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkFastDecodeSnapshotPage(b *testing.B) {
	data := makeSnapshotPage(1000)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			var p SnapshotPage
			if !p.DecodeFast(data) {
				b.Fatal("declined")
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			var p SnapshotPage
			if err := json.Unmarshal(data, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// docGen builds documents from the real keys (and near misses)
// with values of every JSON type and a few broken ones, so that most are
// ones the fast path takes or declines for one subtle reason. next(n)
// chooses a number in [0, n): from a random source in a test, from the
// fuzzer's bytes in the fuzz targets.
type docGen struct{ next func(n int) int }

var (
	genValues = []string{
		`null`, `""`, `"x"`, `"桌面"`, `"a\u0041"`, `"\u00e9"`, "\"\x7f\"", `0`, `1`, `-7`, `-0`, `1.0`, `1e2`,
		`123456789012345678`, `1234567890123456789`, `99999999999999999999`, `true`, `false`, `{}`, `[]`,
		`[null]`, `[{}]`, `{"a":[1,{"b":null}]}`, `"2024-04-20T08:36:16Z"`, `"2024-04-20T08:36:16+08:00"`,
		`"2024-02-30T00:00:00Z"`, `"2000-02-29T23:59:59Z"`, `"0000-01-01T00:00:00Z"`, `"create_success"`, `"AUTO"`,
		// Times in every form ParseTime takes, and near misses.
		`"2024-04-20T08:36:16.123Z"`, `"2024-04-20T08:36:16.5-03:30"`, `"2024-04-20T08:36:16"`,
		`"2024-04-20T08:36:16.999999999"`, `"2024-04-20 08:36:16"`, `"2024-04-20 08:36:16+08:00"`,
		`"2024-04-20 08:36:16,5Z"`, `"2024-04-20T24:00:00"`, `"2024-04-20T08:36:16+0800"`, `"2024/04/20 08:36:16"`,
		`"2024-04-20T8:36:16Z"`, `"2024-04-20t08:36:16z"`, `"2024-04-20T08:36:16\u005a"`, `"2024-04-20_08:36:16"`,
		`"2024-04-20T08:36:16.Z"`, `"2024-04-20 08:36:16 "`,
		`"FINISH"`, `"POWERSHELL"`, `1.`, `tru`, `01`, `-`, "\"\x01\"", "\"\xff\"", ` 5 `, `[1,]`,
	}
	genSnapKeys = append(append([]string{}, SnapshotKeys...), "Status", "PROCESS", "extra", "", "snapshot_id ")
	genTaskKeys = append(append([]string{}, TaskKeys...), "Scripts", "ID", "other")
)

func (g docGen) pick(xs []string) string { return xs[g.next(len(xs))] }

func (g docGen) object(keys []string, value func() string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, n := 0, g.next(6); i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%s", g.pick(keys), value())
	}
	b.WriteByte('}')
	return b.String()
}

func (g docGen) list(elem func() string) string {
	switch g.next(8) {
	case 0:
		return g.scalar()
	case 1:
		return `null`
	}
	var parts []string
	for i, n := 0, g.next(4); i < n; i++ {
		parts = append(parts, elem())
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func (g docGen) scalar() string { return g.pick(genValues) }

func (g docGen) snapshotPage() string {
	snapshot := func() string {
		if g.next(8) == 0 {
			return g.scalar()
		}
		return g.object(genSnapKeys, g.scalar)
	}
	return g.object([]string{"desktop_snapshots", "total_count", "x", "Total_count"}, func() string {
		if g.next(2) == 0 {
			return g.list(snapshot)
		}
		return g.scalar()
	})
}

func (g docGen) images() string {
	image := func() string {
		if g.next(8) == 0 {
			return g.scalar()
		}
		return g.object(append(append([]string{}, ImageInfoKeys...), "OS_type", "x"), g.scalar)
	}
	return g.object([]string{"image_infos", "Image_Infos", "x"}, func() string {
		if g.next(3) != 0 {
			return g.list(image)
		}
		return g.scalar()
	})
}

func (g docGen) statistics() string {
	return g.object([]string{"product_id", "image_id", "disk_num", "disk_size", "Disk_Num", "x"}, g.scalar)
}

func (g docGen) taskPage() string {
	script := func() string {
		if g.next(6) == 0 {
			return g.scalar()
		}
		return g.object([]string{"id", "name", "Name", "x"}, g.scalar)
	}
	task := func() string {
		if g.next(8) == 0 {
			return g.scalar()
		}
		return g.object(genTaskKeys, func() string {
			if g.next(4) == 0 {
				return g.list(script)
			}
			return g.scalar()
		})
	}
	return g.object([]string{"script_execution_tasks", "total_count", "x"}, func() string {
		if g.next(2) == 0 {
			return g.list(task)
		}
		return g.scalar()
	})
}

// bytesGen is a generator choosing by data's bytes; when they
// run out it chooses 0, which ends every object and list.
func bytesGen(data []byte) docGen {
	return docGen{next: func(n int) int {
		if len(data) == 0 {
			return 0
		}
		c := int(data[0])
		data = data[1:]
		return c % n
	}}
}

// TestFastDecodeRandomDocuments is a quick structured differential test
// over docGen's documents.
func TestFastDecodeRandomDocuments(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	g := docGen{next: rng.IntN}
	var tookSnap, tookTask, tookStats, tookImages int
	const n = 20000
	for i := 0; i < n; i++ {
		if checkImages(t, []byte(g.images())) {
			tookImages++
		}
		if checkSnapshots(t, []byte(g.snapshotPage())) {
			tookSnap++
		}
		if checkTasks(t, []byte(g.taskPage())) {
			tookTask++
		}
		if checkStatistics(t, []byte(g.statistics())) {
			tookStats++
		}
	}
	// Both outcomes must be common, or the test checks little.
	assert.Greater(t, tookSnap, n/20)
	assert.Less(t, tookSnap, n-n/20)
	assert.Greater(t, tookTask, n/20)
	assert.Less(t, tookTask, n-n/20)
	assert.Greater(t, tookStats, n/20)
	assert.Less(t, tookStats, n-n/20)
	assert.Greater(t, tookImages, n/20)
	assert.Less(t, tookImages, n-n/20)
	t.Logf("fast path took %d of %d image answers", tookImages, n)
	t.Logf("fast path took %d of %d snapshot pages, %d of %d task pages, %d of %d statistics", tookSnap, n, tookTask, n, tookStats, n)
}

// TestFastDecodeCapacityBounded checks that braces inside strings cannot
// make the list's capacity guess allocate more than a full page.
func TestFastDecodeCapacityBounded(t *testing.T) {
	t.Parallel()
	body := []byte(`{"desktop_snapshots":[{}],"x":"` + strings.Repeat("{", 1<<20) + `"}`)
	var p SnapshotPage
	require.True(t, checkSnapshots(t, body))
	require.True(t, p.DecodeFast(body))
	assert.LessOrEqual(t, cap(p.Snapshots), maxSnapshotsPage)
	tasks := []byte(`{"script_execution_tasks":[{}],"x":"` + strings.Repeat("{", 1<<20) + `"}`)
	var q TaskPage
	require.True(t, q.DecodeFast(tasks))
	assert.LessOrEqual(t, cap(q.Tasks), maxTasksPage)
}

func checkIDs(t *testing.T, data []byte) bool {
	t.Helper()
	return checkFast[CheckImagesRequest](t, data)
}

// The check-images request the fake reads: what the fast path takes and
// what it leaves to encoding/json, each checked against encoding/json.
func TestFastDecodeCheckImagesRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		body string
		fast bool
	}{
		{"ids", `{"desktop_ids":["a","b-1","桌面"]}`, true},
		{"white space", " { \"desktop_ids\" : [ \"a\" , \"b\" ] } ", true},
		{"empty list", `{"desktop_ids":[]}`, true},
		{"null list", `{"desktop_ids":null}`, true},
		{"null id", `{"desktop_ids":["a",null,""]}`, true},
		{"no ids", `{}`, true},
		{"unknown key skipped", `{"x":[1,{"y":null}],"desktop_ids":["a"]}`, true},
		{"key in another case", `{"Desktop_IDs":["a"]}`, false},
		{"key twice", `{"desktop_ids":["a"],"desktop_ids":["b"]}`, false},
		{"escape", `{"desktop_ids":["a\u0062"]}`, false},
		{"number id", `{"desktop_ids":[1]}`, false},
		{"not a list", `{"desktop_ids":"a"}`, false},
		{"trailing data", `{"desktop_ids":["a"]} x`, false},
		{"truncated", `{"desktop_ids":["a"`, false},
		{"empty body", ``, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.fast, checkIDs(t, []byte(tc.body)))
		})
	}
	// As the SDK sends them: 500 ids, taken and equal to encoding/json's.
	ids := make([]string, 500)
	for i := range ids {
		ids[i] = fmt.Sprintf("0b5a1c2d-%08d-4e5f-9a8b-7c6d5e4f3a2b", i)
	}
	body, err := json.Marshal(CheckImagesRequest{DesktopIDs: ids})
	require.NoError(t, err)
	var r CheckImagesRequest
	require.True(t, r.DecodeFast(body))
	assert.Equal(t, ids, r.DesktopIDs)
	assert.True(t, checkIDs(t, body))
}

func FuzzFastDecodeCheckImagesRequest(f *testing.F) {
	f.Add([]byte(`{"desktop_ids":["a","b",null]}`))
	f.Add([]byte(`{"Desktop_ids":["a"],"x":{}}`))
	f.Add([]byte(`{"desktop_ids":["\u00e9"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkIDs(t, data)
	})
}

// The check-images request's fast path against encoding/json over
// documents built of the real key and near misses (other case, a
// non-ASCII fold, twice), ids of every kind (null, empty, HTML, Unicode,
// escapes, invalid UTF-8, numbers), other keys, white space and broken
// endings: both outcomes common, never a different result.
func TestFastDecodeCheckImagesRequestRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	keys := []string{`"desktop_ids"`, `"desktop_ids"`, `"desktop_ids"`, `"Desktop_IDs"`, `"desktop_idſ"`, `"desktop\u005fids"`, `"x"`, `""`}
	ids := []string{`"a"`, `"d-0001"`, `null`, `""`, `"<b>&</b>"`, `"桌面🙂"`, "\"\u2028\"", `"a\"b"`, `"\u00e9"`, "\"\xff\"", "\"\t\"", `1`, `true`, `{}`, `[]`, `"a`}
	others := []string{`null`, `1`, `-0.5e3`, `"s"`, `{"desktop_ids":[1]}`, `[[],{}]`, `tru`}
	ws := []string{"", "", " ", "\n\t", "\r"}
	took := 0
	const n = 20000
	for range n {
		var b strings.Builder
		w := func() { b.WriteString(ws[rng.IntN(len(ws))]) }
		b.WriteString("{")
		for k := range rng.IntN(3) + rng.IntN(2) {
			if k > 0 {
				b.WriteString(",")
			}
			w()
			key := keys[rng.IntN(len(keys))]
			b.WriteString(key)
			w()
			b.WriteString(":")
			w()
			switch {
			case key == `"x"` || key == `""`:
				b.WriteString(others[rng.IntN(len(others))])
			case rng.IntN(8) == 0:
				b.WriteString([]string{`null`, `"a"`, `{}`, `[`}[rng.IntN(4)])
			default:
				b.WriteString("[")
				for i := range rng.IntN(5) {
					if i > 0 {
						b.WriteString(",")
					}
					w()
					b.WriteString(ids[rng.IntN(len(ids))])
					w()
				}
				b.WriteString("]")
			}
			w()
		}
		b.WriteString([]string{"}", "}", "}", "} ", "}x", "", ",}"}[rng.IntN(7)])
		if checkIDs(t, []byte(b.String())) {
			took++
		}
	}
	assert.Greater(t, took, n/20)
	assert.Less(t, took, n-n/20)
}
