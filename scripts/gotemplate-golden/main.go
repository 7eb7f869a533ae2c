// Command golden prints what Go's text/template does, as docker runs it, for whittle's GoTemplateGoldenTest: every
// case of Go's own test tables (execTests, cmpTests, multiExecTests, parseTests, errorTests and the single cases of
// exec_test.go, copied in by gen.sh) and whittle's cases over docker's types, each parsed with docker's functions
// as a template named "" and executed over its data. The data goes along, serialized with its Go types, so the Java
// side builds the same values. Run it through gen.sh.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"golden/container"
	"golden/formatter"
	"golden/nat"
	"golden/strslice"
	"golden/types"
)

// docker/cli templates.basicFunctions (20.10).
var basicFunctions = template.FuncMap{
	"json": func(v interface{}) string {
		buf := &bytes.Buffer{}
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		enc.Encode(v)
		return strings.TrimSpace(buf.String())
	},
	"split":    strings.Split,
	"join":     strings.Join,
	"title":    strings.Title,
	"lower":    strings.ToLower,
	"upper":    strings.ToUpper,
	"pad":      padWithSpace,
	"truncate": truncateWithLength,
}

// docker/cli templates.HeaderFunctions (20.10).
var headerFunctions = template.FuncMap{
	"json":     func(v string) string { return v },
	"split":    func(v string, _ string) string { return v },
	"join":     func(v string, _ string) string { return v },
	"title":    func(v string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"pad":      func(v string, _ int, _ int) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

func padWithSpace(source string, prefix, suffix int) string {
	if source == "" {
		return source
	}
	return strings.Repeat(" ", prefix) + source + strings.Repeat(" ", suffix)
}

func truncateWithLength(source string, length int) string {
	if len(source) < length {
		return source
	}
	return source[:length]
}

type goldenCase struct {
	Table    string `json:"table"`
	Name     string `json:"name"`
	Template string `json:"template"`
	Data     string `json:"data"`
	// exec (default), header (docker's header functions, errors ignored), raw (missingkey=error), parse
	Mode       string  `json:"mode,omitempty"`
	Output     *string `json:"output,omitempty"`
	Error      string  `json:"error,omitempty"`
	ParseError bool    `json:"parseError,omitempty"`
	Tree       *string `json:"tree,omitempty"`
}

type skip struct {
	Table string `json:"table"`
	Name  string `json:"name"`
	Why   string `json:"why"`
}

func run(c *goldenCase, data interface{}) {
	tmpl, err := template.New("").Funcs(basicFunctions).Parse(c.Template)
	if err != nil {
		c.Error = err.Error()
		c.ParseError = true
		return
	}
	if c.Mode == "parse" {
		s := tmpl.Tree.Root.String()
		c.Tree = &s
		return
	}
	var buf bytes.Buffer
	switch c.Mode {
	case "header":
		err = tmpl.Funcs(headerFunctions).Execute(&buf, data)
	case "raw":
		err = tmpl.Option("missingkey=error").Execute(&buf, data)
	default:
		err = tmpl.Execute(&buf, data)
	}
	s := buf.String()
	c.Output = &s
	if err != nil {
		c.Error = err.Error()
	}
}

// ------------------------------------------------------------------------------------------ serializer

type serializer struct {
	types   []map[string]interface{}
	typeIdx map[reflect.Type]int
	ptrs    map[string]int
}

var templateType = reflect.TypeOf((*template.Template)(nil))

func (s *serializer) typ(t reflect.Type) int {
	if i, ok := s.typeIdx[t]; ok {
		return i
	}
	i := len(s.types)
	s.typeIdx[t] = i
	d := map[string]interface{}{"kind": t.Kind().String()}
	s.types = append(s.types, d)
	if t.Name() != "" {
		d["name"] = t.String()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Pointer, reflect.Chan:
		d["elem"] = s.typ(t.Elem())
	case reflect.Array:
		d["elem"] = s.typ(t.Elem())
		d["len"] = t.Len()
	case reflect.Map:
		d["key"] = s.typ(t.Key())
		d["elem"] = s.typ(t.Elem())
	case reflect.Struct:
		if t == templateType.Elem() {
			break // opaque: the tests' Tmpl field is left out
		}
		var fields []map[string]interface{}
		for k := 0; k < t.NumField(); k++ {
			f := t.Field(k)
			name, omit := f.Name, false
			if tag, ok := f.Tag.Lookup("json"); ok {
				parts := strings.Split(tag, ",")
				if parts[0] != "" {
					name = parts[0]
				}
				for _, p := range parts[1:] {
					omit = omit || p == "omitempty"
				}
			}
			fields = append(fields, map[string]interface{}{"name": f.Name, "type": s.typ(f.Type), "json": name, "omitempty": omit})
		}
		d["fields"] = fields
	case reflect.Interface:
		var ms []string
		for k := 0; k < t.NumMethod(); k++ {
			ms = append(ms, t.Method(k).Name)
		}
		d["methods"] = ms
	case reflect.Func:
		s.funcDesc(d, t, 0)
	}
	if t.Kind() != reflect.Interface && t.Name() != "" && t != templateType.Elem() {
		var ms []map[string]interface{}
		seen := map[string]bool{}
		for k := 0; k < t.NumMethod(); k++ {
			m := t.Method(k)
			seen[m.Name] = true
			ms = append(ms, map[string]interface{}{"name": m.Name, "type": s.methodType(m.Type), "ptr": false})
		}
		if t.Kind() != reflect.Pointer {
			pt := reflect.PointerTo(t)
			for k := 0; k < pt.NumMethod(); k++ {
				m := pt.Method(k)
				if !seen[m.Name] {
					ms = append(ms, map[string]interface{}{"name": m.Name, "type": s.methodType(m.Type), "ptr": true})
				}
			}
		}
		d["methodSet"] = ms
	}
	return i
}

// methodType is a method's type without its receiver, as a bound method has it.
func (s *serializer) methodType(t reflect.Type) int {
	d := map[string]interface{}{"kind": "func"}
	i := len(s.types)
	s.types = append(s.types, d)
	s.funcDesc(d, t, 1)
	return i
}

func (s *serializer) funcDesc(d map[string]interface{}, t reflect.Type, from int) {
	var in []int
	for k := from; k < t.NumIn(); k++ {
		in = append(in, s.typ(t.In(k)))
	}
	d["in"] = in
	d["variadic"] = t.IsVariadic()
	d["numOut"] = t.NumOut()
	if t.NumOut() > 0 {
		d["out"] = s.typ(t.Out(0))
	}
	d["err"] = t.NumOut() == 2 && t.Out(1) == reflect.TypeOf((*error)(nil)).Elem()
}

func (s *serializer) val(v reflect.Value, hint string) interface{} {
	if v.Type() == templateType {
		return map[string]interface{}{"unsupported": "*template.Template"}
	}
	switch v.Kind() {
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		return []string{strconv.FormatFloat(real(c), 'g', -1, 64), strconv.FormatFloat(imag(c), 'g', -1, 64)}
	case reflect.String:
		return v.String()
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		l := []interface{}{}
		for k := 0; k < v.Len(); k++ {
			l = append(l, s.val(v.Index(k), hint))
		}
		return l
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		l := [][]interface{}{}
		keys := v.MapKeys()
		sort.Slice(keys, func(a, b int) bool { return fmt.Sprint(keys[a]) < fmt.Sprint(keys[b]) })
		for _, k := range keys {
			l = append(l, []interface{}{s.val(k, hint), s.val(v.MapIndex(k), fmt.Sprint(k))})
		}
		return l
	case reflect.Struct:
		l := []interface{}{}
		for k := 0; k < v.NumField(); k++ {
			l = append(l, s.val(v.Field(k), v.Type().Field(k).Name))
		}
		return l
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		key := fmt.Sprintf("%x %s", v.Pointer(), v.Type())
		if id, ok := s.ptrs[key]; ok {
			return map[string]interface{}{"ref": id}
		}
		id := len(s.ptrs)
		s.ptrs[key] = id
		return map[string]interface{}{"id": id, "v": s.val(v.Elem(), hint)}
	case reflect.Interface:
		if v.IsNil() {
			return nil
		}
		e := v.Elem()
		return map[string]interface{}{"t": s.typ(e.Type()), "v": s.val(e, hint)}
	case reflect.Func:
		if v.IsNil() {
			return nil
		}
		return map[string]interface{}{"func": hint}
	}
	return map[string]interface{}{"unsupported": v.Kind().String()}
}

// ------------------------------------------------------------------------------------------ docker's data

func dockerInspect() types.ImageInspect {
	timeout := 10
	cfg := &container.Config{
		User:         "app",
		ExposedPorts: nat.PortSet{"443/tcp": {}, "80/tcp": {}},
		Env:          []string{"PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8", "EMPTY="},
		Cmd:          strslice.StrSlice{"/bin/sh", "-c", "exec \"$@\" <x> & y"},
		Healthcheck:  &container.HealthConfig{Test: []string{"CMD", "true"}, Interval: 30 * time.Second, Timeout: 1500 * time.Millisecond, Retries: 3},
		Image:        "sha256:0123",
		WorkingDir:   "/srv/ü",
		Labels:       map[string]string{"org.opencontainers.image.source": "https://example.test/src", "a": "", "b.c": "d"},
		StopTimeout:  &timeout,
	}
	return types.ImageInspect{
		ID:              "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
		RepoTags:        []string{"site:latest", "registry.example:5000/site:1"},
		RepoDigests:     []string{},
		Created:         "2021-03-04T03:24:42.123Z",
		ContainerConfig: &container.Config{},
		Config:          cfg,
		Architecture:    "amd64",
		Os:              "linux",
		Size:            8012345,
		VirtualSize:     8012345,
		GraphDriver:     types.GraphDriverData{Name: "whittle"},
		RootFS:          types.RootFS{Type: "layers", Layers: []string{"sha256:1", "sha256:2"}},
		Metadata:        types.ImageMetadata{LastTagTime: time.Time{}},
	}
}

// rawOf is what docker's inspect tries second: the JSON decoded with UseNumber.
func rawOf(v interface{}) interface{} {
	b, _ := json.Marshal(v)
	var raw interface{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.Decode(&raw)
	return raw
}

var rowColumns = map[string]string{"Containers": "N/A", "CreatedAt": "2021-03-04 03:24:42 +0000 UTC", "CreatedSince": "3 years ago",
	"Digest": "<none>", "ID": "4f53cda18c2b", "Repository": "<none>", "SharedSize": "N/A", "Size": "8.01MB", "Tag": "<none>",
	"UniqueSize": "N/A", "VirtualSize": "8.012MB"}

var rowSummary = types.ImageSummary{Containers: -1, Created: 1614828282, ID: "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
	Labels: map[string]string{"a": "b"}, RepoTags: []string{"<none>:<none>"}, SharedSize: -1, Size: 8012345, VirtualSize: 8012345}

// ------------------------------------------------------------------------------------------ cases

// skipped data: fields of exec_test's T this model has no values for.
var unsupportedFields = []string{".Tmpl", ".SICap", "count ", "doPanic"}

func main() {
	ser := &serializer{typeIdx: map[reflect.Type]int{}, ptrs: map[string]int{}}
	data := map[string]interface{}{}
	var cases []*goldenCase
	var skips []skip
	dataKey := func(table string, i int, v interface{}) string {
		if p, ok := v.(*T); ok && p == tVal {
			return "tVal"
		}
		if _, ok := v.(Image); ok && table == "legacy" {
			data["legacy"] = v
			return "legacy"
		}
		k := fmt.Sprintf("%s#%d", table, i)
		data[k] = v
		return k
	}
	data["tVal"] = tVal
	add := func(table, name, tmpl string, d interface{}, mode string) {
		for _, u := range unsupportedFields {
			if strings.Contains(tmpl, u) {
				skips = append(skips, skip{table, name, "uses " + strings.TrimSpace(u) + ", whose value this model does not hold"})
				return
			}
		}
		c := &goldenCase{Table: table, Name: name, Template: tmpl, Mode: mode}
		c.Data = dataKey(table, len(cases), d)
		run(c, d)
		cases = append(cases, c)
	}

	for _, t := range execTests {
		add("execTests", t.name, t.input, t.data, "")
	}
	cmp := cmpStruct()
	for _, t := range cmpTests {
		add("cmpTests", t.expr, fmt.Sprintf("{{if %s}}true{{else}}false{{end}}", t.expr), cmp, "")
	}
	var defs strings.Builder
	for _, l := range strings.Split(multiText1+multiText2, "\n") {
		defs.WriteString(strings.TrimSpace(l))
	}
	for _, t := range multiExecTests {
		add("multiExecTests", t.name, defs.String()+t.input, t.data, "")
	}
	for _, t := range parseTests {
		add("parseTests", t.name, t.input, nil, "parse")
	}
	for _, t := range errorTests {
		add("errorTests", t.name, t.input, nil, "parse")
	}
	// the single cases of exec_test.go and multi_test.go
	add("TestExecError", "nested template error", execErrorText, 5, "")
	add("TestBlock", "block", `a({{block "inner" .}}bar({{.}})baz{{end}})b`, "hello", "")
	add("TestBlock", "block redefined", `a({{block "inner" .}}bar({{.}})baz{{end}})b{{define "inner"}}foo({{.}})bar{{end}}`, "goodbye", "")
	tree := strings.NewReplacer("(", "{{", ")", "}}").Replace(treeTemplate) + `{{template "tree" .}}`
	add("TestTree", "tree", tree, treeData(), "")
	add("TestMissingMapKey", "default", "{{.x}} {{.y}}", map[string]int{"x": 99}, "")
	add("TestMissingMapKey", "error", "{{.x}} {{.y}}", map[string]int{"x": 99}, "raw")
	add("TestMissingMapKey", "error on nil", "{{.x}} {{.y}}", nil, "raw")
	add("TestUnterminatedStringError", "unterminated", "hello\n\n{{`unterminated\n\n\n\n}}\n some more\n\n", nil, "")
	add("TestExecuteGivesExecError", "X.Y of int", "hello, {{.X.Y}}", 0, "")
	add("TestFinalForPrintf", "final", `{{"x" | printf}}`, 0, "")
	add("TestEvalFieldErrors", "MissingFieldOnNil", "{{.MissingField}}", (*T)(nil), "")
	add("TestEvalFieldErrors", "MissingFieldOnNonNil", "{{.MissingField}}", &T{}, "")
	add("TestEvalFieldErrors", "ExistingFieldOnNil", "{{.X}}", (*T)(nil), "")
	add("TestEvalFieldErrors", "MissingKeyOnNilMap", "{{.MissingKey}}", (*map[string]string)(nil), "")
	add("TestEvalFieldErrors", "MissingKeyOnMapPtrToNil", "{{.MissingKey}}", &map[string]string{}, "")
	iv := map[string]interface{}{"PlusOne": func(n int) int { return n + 1 }, "Slice": []int{0, 1, 2, 3}, "One": 1, "Two": 2, "Nil": nil, "Zero": 0}
	for _, t := range []string{`{{index .Nil 1}}`, `{{index .Slice 2}}`, `{{index .Slice .Two}}`, `{{call .Nil 1}}`, `{{call .PlusOne 1}}`,
		`{{call .PlusOne .One}}`, `{{and (index .Slice 0) true}}`, `{{and .Zero true}}`, `{{and (index .Slice 1) false}}`, `{{and .One false}}`,
		`{{or (index .Slice 0) false}}`, `{{or .Zero false}}`, `{{or (index .Slice 1) true}}`, `{{or .One true}}`, `{{not (index .Slice 0)}}`,
		`{{not .Zero}}`, `{{not (index .Slice 1)}}`, `{{not .One}}`, `{{eq (index .Slice 0) .Zero}}`, `{{eq (index .Slice 1) .One}}`,
		`{{ne (index .Slice 0) .Zero}}`, `{{ne (index .Slice 1) .One}}`, `{{ge (index .Slice 0) .One}}`, `{{ge (index .Slice 1) .Zero}}`,
		`{{gt (index .Slice 0) .One}}`, `{{gt (index .Slice 1) .Zero}}`, `{{le (index .Slice 0) .One}}`, `{{le (index .Slice 1) .Zero}}`,
		`{{lt (index .Slice 0) .One}}`, `{{lt (index .Slice 1) .Zero}}`} {
		add("TestInterfaceValues", t, t, iv, "")
	}
	add("TestExecutePanicDuringCall", "direct method call panics", "{{.GetU}}", (*T)(nil), "")
	add("TestExecutePanicDuringCall", "indirect method call panics", "{{call .GetU}}", (*T)(nil), "")
	add("TestExecutePanicDuringCall", "func field call panics", "{{call .PanicFunc}}", tVal, "")
	add("TestExecutePanicDuringCall", "method call on nil interface", "{{.NonEmptyInterfaceNil.Method0}}", tVal, "")
	add("TestIssue31810", "parenthesized dot", "{{ (.)  }}", "result", "")
	add("TestIssue31810", "parenthesized func", "{{ (.)  }}", func() string { return "result" }, "")
	add("TestIssue31810", "call", "{{ (call .)  }}", func() string { return "result" }, "")
	add("TestAddrOfIndex", "range", `{{range .}}{{.String}}{{end}}`, []V{{1}}, "")
	add("TestAddrOfIndex", "index", `{{with index . 0}}{{.String}}{{end}}`, []V{{1}}, "")
	add("TestIssue19294", "block after define", `{{define "stylesheet"}}stylesheet{{end}}{{define "xhtml"}}{{block "stylesheet" .}}{{end}}{{end}}{{template "xhtml" .}}`, 0, "")
	for _, s := range []string{`a`, `'foo`, `Go "jump" \`, `Yukihiro says "今日は世界"`, "unprintable \uFDFF", `<html>`, `no = in attributes`,
		`&#x27; does not become HTML entity`} {
		add("TestJSEscaping", s, "{{js .}}", s, "")
	}
	skips = append(skips,
		skip{"TestDelims", "*", "docker's templates have the default delimiters"},
		skip{"TestExecuteError, TestExecError_CustomError", "*", "functions that return Go error values docker does not have"},
		skip{"TestExecuteOnNewTemplate, TestMessageForExecuteEmpty, TestGoodFuncNames, TestBadFuncNames", "*", "the template API, not templates"},
		skip{"TestIssue43065", "*", "channels: docker's data has none"},
		skip{"TestMaxExecDepth", "*", "whittle's limit of template depth is its own (GoTemplateTest)"},
		skip{"TestIssue39807", "*", "concurrency of the Go API"},
		skip{"TestIssue48215", "*", "embedded struct fields: docker's types in templates have none that are pointers"},
		skip{"TestMultiParse, TestParseFiles, TestParseGlob, TestParseFS, TestClone, TestAddParseTree, TestRedefinition, TestEmptyTemplate, TestNew, TestTemplateLookUp",
			"*", "several Parse calls or files into one set: docker parses one text"},
		skip{"TestParseWithComments, TestSkipFuncCheck, TestIsEmpty, TestBlock (parse), TestLineNum, numberTests", "*",
			"parse modes and tree internals docker does not use (number parsing is covered by execTests and whittle's cases)"},
	)

	for _, t := range legacyCases {
		add("legacy", t, t, legacyData, "")
	}

	// docker's data
	insp := dockerInspect()
	data["inspect"] = insp
	data["inspectRaw"] = rawOf(insp)
	row := formatter.NewImageRow(true, rowSummary, "<none>", "<none>", "<none>", rowColumns)
	data["row"] = row
	header := formatter.SubHeaderContext{"ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Size": "SIZE", "CreatedSince": "CREATED"}
	data["header"] = header
	data["nil"] = nil
	for _, w := range whittleCases {
		var d interface{}
		switch w.data {
		case "inspect":
			d = insp
		case "inspectRaw":
			d = data["inspectRaw"]
		case "row":
			d = row
		case "header":
			d = header
		case "nil":
			d = nil
		}
		c := &goldenCase{Table: "whittle", Name: w.name, Template: w.tmpl, Mode: w.mode, Data: w.data}
		run(c, d)
		cases = append(cases, c)
	}

	out := map[string]interface{}{"go": "text/template of " + goVersion(), "cases": cases, "skipped": skips}
	dataOut := map[string]interface{}{}
	for k, v := range data {
		ser.ptrs = map[string]int{} // pointer identities are per data item
		if k == "row" {
			dataOut[k] = map[string]interface{}{"fields": ser.val(reflect.ValueOf(row).Elem(), ""), "columns": rowColumns,
				"type": ser.typ(reflect.TypeOf(row))}
			continue
		}
		if v == nil {
			dataOut[k] = map[string]interface{}{"type": -1}
			continue
		}
		rv := reflect.ValueOf(v)
		dataOut[k] = map[string]interface{}{"type": ser.typ(rv.Type()), "value": ser.val(rv, "")}
	}
	out["data"] = dataOut
	out["types"] = ser.types
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}

func goVersion() string {
	return strings.TrimPrefix(runtime.Version(), "go")
}

func cmpStruct() interface{} {
	b := new(bytes.Buffer)
	s := struct {
		Uthree, Ufour    uint
		NegOne, Three    int
		Ptr, NilPtr      *int
		NonNilMap        map[int]int
		Map              map[int]int
		V1, V2           V
		Iface1, NilIface fmt.Stringer
	}{
		Uthree:    3,
		Ufour:     4,
		NegOne:    -1,
		Three:     3,
		Ptr:       new(int),
		NonNilMap: make(map[int]int),
		Iface1:    b,
	}
	return &s
}

func treeData() *Tree {
	return &Tree{1, &Tree{2, &Tree{3, &Tree{4, nil, nil}, nil}, &Tree{5, &Tree{6, nil, nil}, nil}},
		&Tree{7, &Tree{8, &Tree{9, nil, nil}, nil}, &Tree{10, &Tree{11, nil, nil}, nil}}}
}

var _ = errors.New
