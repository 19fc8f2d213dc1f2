package workspace

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace/internal/signer"
)

// Query strings: the services build url.Values with the set helpers (a
// zero value is left out), and the core encodes them once with
// encodeQuery, in the form the signer signs.

// setString sets name to v unless v is empty.
func setString(q url.Values, name, v string) {
	if v != "" {
		q.Set(name, v)
	}
}

// setInt sets name to v unless v is 0.
func setInt(q url.Values, name string, v int) {
	if v != 0 {
		q.Set(name, strconv.Itoa(v))
	}
}

// setStrings sets name to a copy of vs, one value each, unless vs is empty.
func setStrings(q url.Values, name string, vs []string) {
	if len(vs) > 0 {
		q[name] = append([]string(nil), vs...)
	}
}

// setBool sets name to "true" or "false" unless v is nil.
func setBool(q url.Values, name string, v *bool) {
	if v != nil {
		q.Set(name, strconv.FormatBool(*v))
	}
}

// setJoined sets name to vs joined by commas, unless vs is empty: for the
// parameters the API documents as one string of comma-separated values.
func setJoined(q url.Values, name string, vs []string) {
	if len(vs) > 0 {
		q.Set(name, strings.Join(vs, ","))
	}
}

// setTime sets name to t as the API expects in a query, unless t is zero.
func setTime(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		q.Set(name, formatQueryTime(t))
	}
}

// formatQueryTime formats t as the API expects in a query.
func formatQueryTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// encodeQuery encodes q with names sorted and values percent-encoded as
// the signer does (space as %20), keeping the order of repeated values.
func encodeQuery(q url.Values) string { return string(appendQuery(nil, q)) }

// appendQuery appends encodeQuery(q) to b.
func appendQuery(b []byte, q url.Values) []byte {
	var namesBuf [20]string // the most names an operation sets is 18 (a pool's desktops)
	names := namesBuf[:0]
	for k := range q {
		names = append(names, k)
	}
	if len(names) > 1 {
		slices.Sort(names)
	}
	first := true
	for _, k := range names {
		for _, v := range q[k] {
			if !first {
				b = append(b, '&')
			}
			first = false
			b = signer.AppendEscape(b, k)
			b = append(b, '=')
			b = signer.AppendEscape(b, v)
		}
	}
	return b
}
