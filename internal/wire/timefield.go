package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// Unmarshal is json.Unmarshal, except that a time Time does not take is
// always named by its field's path. encoding/json before Go 1.27 fills
// that path in itself; from Go 1.27 (encoding/json backed by its v2
// implementation) the error of a type's own UnmarshalJSON comes back
// without it, so Unmarshal finds the field in data.
func Unmarshal(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil // without a heap-allocated target for errors.As
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) && ute.Field == "" && ute.Type == timeType {
		if path := badTimePath(data); path != "" {
			ute.Field = path
		}
	}
	return err
}

// badTimePath returns the path of the first value in data, under a key
// ending in "_time", that Time refuses, written as encoding/json writes a
// field's path (the object keys joined by dots; arrays add nothing), or ""
// if there is none.
func badTimePath(data []byte) string {
	type frame struct {
		object  bool
		key     string // the current key, in an object
		wantKey bool   // the next token is a key (or '}')
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].object && stack[top].wantKey {
			if key, ok := tok.(string); ok {
				stack[top].key, stack[top].wantKey = key, false
				continue
			}
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default: // '}' or ']'
				stack = stack[:top]
				valueDone()
			}
			continue
		case string, json.Number, bool:
			if top >= 0 && stack[top].object && strings.HasSuffix(stack[top].key, "_time") && !timeTakes(v) {
				var keys []string
				for _, f := range stack {
					if f.object {
						keys = append(keys, f.key)
					}
				}
				return strings.Join(keys, ".")
			}
		}
		valueDone()
	}
}

// timeTakes reports whether Time decodes the scalar v.
func timeTakes(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if s == "" {
		return true
	}
	_, ok = ParseTime(s)
	return ok
}
