package fotoweb

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// The tolerant decoder. FotoWeb answers are decoded field by field with
// the json tags of the package's types, but each value is converted
// leniently: numbers may carry decimals or be strings, "" and null mean
// zero, a value of the wrong JSON kind leaves the field at its zero value
// instead of failing the whole document. Only a top-level value that is
// not an object (for a struct) is an error.

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// errNotObject is returned when a struct is decoded from a non-object.
var errNotObject = errors.New("fotoweb: JSON value is not an object")

// decodeJSON decodes data into v (a pointer) tolerantly.
func decodeJSON(data []byte, v any) error {
	if !json.Valid(data) {
		// Let encoding/json describe the syntax error.
		var x any
		if err := json.Unmarshal(data, &x); err != nil {
			return err
		}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("fotoweb: decodeJSON needs a non-nil pointer")
	}
	return decodeValue(data, rv.Elem())
}

// decodeInto is used by the UnmarshalJSON methods: it decodes by kind
// without calling v's own UnmarshalJSON again.
func decodeInto(data []byte, v any) error {
	return decodeKind(bytes.TrimSpace(data), reflect.ValueOf(v).Elem())
}

// decodeValue decodes raw into v, using v's UnmarshalJSON when it has one.
func decodeValue(raw []byte, v reflect.Value) error {
	raw = bytes.TrimSpace(raw)
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		return v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw)
	}
	return decodeKind(raw, v)
}

func decodeKind(raw []byte, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Struct:
		return decodeStruct(raw, v)
	case reflect.Pointer:
		if isEmpty(raw) || (v.Type().Elem().Kind() == reflect.Struct && raw[0] != '{') {
			v.SetZero()
			return nil
		}
		if isInt(v.Type().Elem().Kind()) {
			if _, ok := scalarInt(raw, v.Type().Elem().Bits()); !ok {
				v.SetZero() // a number that is not one is unknown: nil, not 0
				return nil
			}
		}
		p := reflect.New(v.Type().Elem())
		if err := decodeValue(raw, p.Elem()); err != nil {
			v.SetZero()
			return nil
		}
		v.Set(p)
	case reflect.Slice:
		decodeSlice(raw, v)
	case reflect.Map:
		decodeMap(raw, v)
	case reflect.String:
		v.SetString(scalarText(raw))
	case reflect.Bool:
		v.SetBool(scalarBool(raw))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, ok := scalarInt(raw, v.Type().Bits()); ok {
			v.SetInt(n)
		} else {
			v.SetZero()
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n, ok := scalarInt(raw, 64); ok && n >= 0 && !v.OverflowUint(uint64(n)) {
			v.SetUint(uint64(n))
		} else {
			v.SetZero()
		}
	case reflect.Float32, reflect.Float64:
		f, _ := scalarFloat(raw)
		v.SetFloat(f)
	case reflect.Interface:
		var x any
		if json.Unmarshal(raw, &x) == nil && v.NumMethod() == 0 {
			if x == nil {
				v.SetZero()
			} else {
				v.Set(reflect.ValueOf(x))
			}
		}
	}
	return nil
}

func isInt(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Int64
}

// isEmpty reports null, "" or nothing.
func isEmpty(raw []byte) bool {
	return len(raw) == 0 || string(raw) == "null" || string(raw) == `""`
}

func decodeStruct(raw []byte, v reflect.Value) error {
	if isEmpty(raw) {
		return nil
	}
	if raw[0] != '{' {
		return errNotObject
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return err
	}
	for _, f := range fieldsOf(v.Type()) {
		val, ok := members[f.name]
		if !ok {
			for k, m := range members { // encoding/json matches case-insensitively
				if strings.EqualFold(k, f.name) {
					val, ok = m, true
					break
				}
			}
		}
		if !ok {
			continue
		}
		fv := v.Field(f.index)
		if err := decodeValue(val, fv); err != nil {
			fv.SetZero()
		}
	}
	return nil
}

func decodeSlice(raw []byte, v reflect.Value) {
	var elems []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		v.SetZero()
		return
	}
	s := reflect.MakeSlice(v.Type(), 0, len(elems))
	for _, e := range elems {
		if string(bytes.TrimSpace(e)) == "null" {
			continue
		}
		ev := reflect.New(v.Type().Elem()).Elem()
		if decodeValue(e, ev) == nil {
			s = reflect.Append(s, ev)
		}
	}
	v.Set(s)
}

func decodeMap(raw []byte, v reflect.Value) {
	var members map[string]json.RawMessage
	if v.Type().Key().Kind() != reflect.String || len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &members) != nil {
		v.SetZero()
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(members))
	for k, e := range members {
		ev := reflect.New(v.Type().Elem()).Elem()
		if decodeValue(e, ev) == nil {
			m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), ev)
		}
	}
	v.Set(m)
}

// scalarText returns a string, number or boolean as text; "" otherwise.
func scalarText(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case 't', 'f':
		return string(raw)
	case 'n', '{', '[':
		return ""
	default:
		return string(raw) // a number, as written
	}
	return ""
}

// scalarFloat reads a number, or a string holding one.
func scalarFloat(raw []byte) (float64, bool) {
	s := strings.TrimSpace(scalarText(raw))
	if s == "" || s == "true" || s == "false" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// scalarInt reads an integer, accepting decimals (rounded) and strings.
func scalarInt(raw []byte, bits int) (int64, bool) {
	s := strings.TrimSpace(scalarText(raw))
	if n, err := strconv.ParseInt(s, 10, bits); err == nil {
		return n, true
	}
	f, ok := scalarFloat(raw)
	if !ok {
		return 0, false
	}
	f = math.Round(f)
	limit := math.Ldexp(1, bits-1)
	if f >= limit || f < -limit {
		return 0, false
	}
	return int64(f), true
}

// scalarBool reads true/false, "true"/"false", "1"/"0" and numbers.
func scalarBool(raw []byte) bool {
	s := strings.ToLower(strings.TrimSpace(scalarText(raw)))
	if b, err := strconv.ParseBool(s); err == nil {
		return b
	}
	f, ok := scalarFloat(raw)
	return ok && f != 0
}

type field struct {
	name  string
	index int
}

var fieldCache sync.Map // reflect.Type -> []field

// fieldsOf lists the exported fields of a struct type with their JSON
// names (tag name or Go name; "-" skipped).
func fieldsOf(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		fs = append(fs, field{name: name, index: i})
	}
	fieldCache.Store(t, fs)
	return fs
}
