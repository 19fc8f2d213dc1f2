// Package testdump is for tests only: it finds what a reflection-based
// dumper (go-spew, which testify prints on a failure) could show of a
// value, so that a test can assert that no secret is among it.
package testdump

import "reflect"

// Strings returns every string reachable from v through pointers,
// interfaces, structs (unexported fields too), slices, arrays and maps: all
// that a dumper that follows pointers into unexported fields could print.
// A function value is not entered: a closure is where the SDK keeps keys.
func Strings(v any) []string {
	return walk(reflect.ValueOf(v), map[uintptr]bool{}, nil)
}

func walk(v reflect.Value, seen map[uintptr]bool, out []string) []string {
	switch v.Kind() {
	case reflect.String:
		out = append(out, v.String())
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return out
		}
		seen[v.Pointer()] = true
		out = walk(v.Elem(), seen, out)
	case reflect.Interface:
		if !v.IsNil() {
			out = walk(v.Elem(), seen, out)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			out = walk(v.Field(i), seen, out)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			out = walk(v.Index(i), seen, out)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			out = walk(iter.Key(), seen, out)
			out = walk(iter.Value(), seen, out)
		}
	}
	return out
}
