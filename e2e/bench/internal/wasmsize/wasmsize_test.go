package wasmsize

import (
	"slices"
	"testing"
)

// leb appends n as an unsigned LEB128.
func leb(b []byte, n int) []byte {
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func str(b []byte, s string) []byte { return append(leb(b, len(s)), s...) }

func section(b []byte, id byte, body []byte) []byte {
	return append(leb(append(b, id), len(body)), body...)
}

// module hand-assembles a module: two imports (a function and a memory),
// three functions whose bodies are 3, 200 and 5 bytes (the second needs a
// two-byte size), a name section naming two of them (after a module-name
// subsection, which is skipped) and another custom section.
func module() []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	b = section(b, 1, []byte{1, 0x60, 0, 0}) // one type: func() -> ()

	var imp []byte
	imp = leb(imp, 2)
	imp = str(str(imp, "go"), "debug")
	imp = append(imp, 0, 0) // function of type 0
	imp = str(str(imp, "env"), "mem")
	imp = append(imp, 2, 1, 1, 2) // memory, limits min 1 max 2
	b = section(b, 2, imp)

	b = section(b, 3, []byte{3, 0, 0, 0}) // three functions of type 0

	var code []byte
	code = leb(code, 3)
	for _, size := range []int{3, 200, 5} {
		code = leb(code, size)
		code = append(code, make([]byte, size)...)
	}
	b = section(b, 10, code)

	var names []byte
	names = str(names, "name")
	modName := str(nil, "prog")
	names = append(leb(append(names, 0), len(modName)), modName...)
	var fn []byte
	fn = leb(fn, 3)
	fn = str(leb(fn, 0), "go_debug") // the import
	fn = str(leb(fn, 1), "syscall_js.Value.Call")
	fn = str(leb(fn, 2), "github.com_x_y_wsclient.__Conn_.Read.func1")
	names = append(leb(append(names, 1), len(fn)), fn...)
	b = section(b, 0, names)

	b = section(b, 0, str(nil, "producers"))
	return b
}

func TestParse(t *testing.T) {
	m, err := Parse(module())
	if err != nil {
		t.Fatal(err)
	}
	if m.Imports != 1 {
		t.Errorf("Imports = %d, want 1 (the memory import is not a function)", m.Imports)
	}
	want := []Func{
		{Index: 1, Name: "syscall_js.Value.Call", Size: 3},
		{Index: 2, Name: "github.com_x_y_wsclient.__Conn_.Read.func1", Size: 200},
		{Index: 3, Name: "", Size: 5},
	}
	if !slices.Equal(m.Funcs, want) {
		t.Errorf("Funcs = %+v, want %+v", m.Funcs, want)
	}
	if got := m.Size(10, ""); got != 1+1+3+2+200+1+5 {
		t.Errorf("code section = %d bytes", got)
	}
	if m.Size(0, "producers") != len("producers")+1 || m.Size(0, "name") == 0 {
		t.Errorf("custom sections: %+v", m.Sections)
	}
}

func TestParseRejects(t *testing.T) {
	good := module()
	for name, b := range map[string][]byte{
		"empty":     nil,
		"not wasm":  []byte("\x7fELF\x01\x00\x00\x00"),
		"version 2": []byte("\x00asm\x02\x00\x00\x00"),
		"truncated": good[:len(good)-3],
		"long LEB":  []byte("\x00asm\x01\x00\x00\x00\x01\xff\xff\xff\xff\xff\x01"),
	} {
		if _, err := Parse(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestPackages(t *testing.T) {
	p := NewPackages([]string{"runtime", "syscall/js", "github.com/x/y/wsclient", "github.com/x/y", "gopkg.in/yaml.v3", "internal/runtime/maps"})
	for name, want := range map[string]string{
		"runtime.mallocgc":                           "runtime",
		"runtime.gcMarkDone.func1":                   "runtime",
		"syscall_js.Value.Call":                      "syscall/js",
		"github.com_x_y_wsclient.__Conn_.Read.func1": "github.com/x/y/wsclient",
		"github.com_x_y.F":                           "github.com/x/y",
		"gopkg.in_yaml.v3.Marshal":                   "gopkg.in/yaml.v3",
		"internal_runtime_maps.__Map_.getWithKey":    "internal/runtime/maps",
		"type_.eq.sync_atomic.Bool":                  Generated,
		"memeqbody":                                  Assembly,
		"fmt.Sprintf":                                "fmt (unresolved)",
		"":                                           Unnamed,
	} {
		if got := p.Of(name); got != want {
			t.Errorf("Of(%q) = %q, want %q", name, got, want)
		}
	}
	if got := Mangle("github.com/a-b/c(*T)"); got != "github.com_a_b_c__T_" {
		t.Errorf("Mangle = %q", got)
	}
}

func TestByPackage(t *testing.T) {
	m, err := Parse(module())
	if err != nil {
		t.Fatal(err)
	}
	got := ByPackage(m, NewPackages([]string{"syscall/js", "github.com/x/y/wsclient"}))
	want := []Package{
		{Path: "github.com/x/y/wsclient", Funcs: 1, Bytes: 200},
		{Path: Unnamed, Funcs: 1, Bytes: 5},
		{Path: "syscall/js", Funcs: 1, Bytes: 3},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ByPackage = %+v, want %+v", got, want)
	}
}
