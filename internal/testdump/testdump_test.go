package testdump

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

type inner struct{ secret string }

type outer struct {
	Name  string
	in    *inner
	any   any
	list  []string
	m     map[string]*inner
	self  *outer
	fn    func() string
	array [1]string
}

// Strings reaches unexported fields through pointers, interfaces, slices,
// arrays and maps, survives a cycle, and does not enter a closure.
func TestStrings(t *testing.T) {
	t.Parallel()
	o := &outer{
		Name:  "name",
		in:    &inner{secret: "behind-a-pointer"},
		any:   inner{secret: "in-an-interface"},
		list:  []string{"in-a-slice"},
		m:     map[string]*inner{"map-key": {secret: "map-value"}},
		fn:    func() string { return "in-a-closure" },
		array: [1]string{"in-an-array"},
	}
	o.self = o
	got := Strings(o)
	for _, want := range []string{"name", "behind-a-pointer", "in-an-interface", "in-a-slice", "map-key", "map-value", "in-an-array"} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "in-a-closure")
	assert.Empty(t, Strings(nil))
}
