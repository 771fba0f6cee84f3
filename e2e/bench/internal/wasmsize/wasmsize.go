// Package wasmsize tells where the bytes of a WebAssembly program go: it
// reads the code section's function bodies and the custom "name" section's
// function names (which Go's linker writes unless -s is given), and sums
// the code by Go package.
package wasmsize

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Section ids of the WebAssembly binary format.
const (
	secCustom   = 0
	secImport   = 2
	secFunction = 3
	secCode     = 10
)

// Section is one section of a module.
type Section struct {
	ID   byte
	Name string // a custom section's name
	Size int    // bytes of its contents
}

// Func is one function defined by the module (not imported).
type Func struct {
	Index int    // in the function index space (imports come first)
	Name  string // from the name section; "" when it has none
	Size  int    // bytes of its body in the code section
}

// Module is what Parse reads.
type Module struct {
	Sections []Section
	Imports  int    // imported functions
	Funcs    []Func // defined functions, in order
}

// Size returns the contents size of the first section with that id (and,
// for custom sections, that name), or 0.
func (m *Module) Size(id byte, name string) int {
	for _, s := range m.Sections {
		if s.ID == id && s.Name == name {
			return s.Size
		}
	}
	return 0
}

// reader reads the binary format's values.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("wasm offset %d: %s", r.off, fmt.Sprintf(format, args...))
	}
}

func (r *reader) byte() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.fail("unexpected end")
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

// u32 reads an unsigned LEB128 of at most 32 bits.
func (r *reader) u32() int {
	var v uint64
	for shift := 0; shift < 35; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			if v > 0xffffffff {
				r.fail("LEB128 over 32 bits")
			}
			return int(v)
		}
	}
	r.fail("LEB128 too long")
	return 0
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b)-r.off {
		r.fail("%d bytes past the end", n)
		return nil
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

func (r *reader) name() string { return string(r.bytes(r.u32())) }

// Parse reads a WebAssembly module's sections, function bodies and
// function names.
func Parse(b []byte) (*Module, error) {
	if len(b) < 8 || !bytes.Equal(b[:4], []byte("\x00asm")) {
		return nil, errors.New("not a WebAssembly module")
	}
	if b[4] != 1 || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return nil, fmt.Errorf("WebAssembly version %x, want 1", b[4:8])
	}
	m := &Module{}
	names := map[int]string{}
	r := &reader{b: b, off: 8}
	for r.err == nil && r.off < len(b) {
		id := r.byte()
		size := r.u32()
		body := &reader{b: r.bytes(size)}
		if r.err != nil {
			break
		}
		s := Section{ID: id, Size: size}
		switch id {
		case secCustom:
			s.Name = body.name()
			if s.Name == "name" {
				readNames(body, names)
			}
		case secImport:
			m.Imports = countFuncImports(body)
		case secCode:
			for i, n := 0, body.u32(); i < n && body.err == nil; i++ {
				size := body.u32()
				body.bytes(size)
				m.Funcs = append(m.Funcs, Func{Size: size})
			}
		}
		if body.err != nil {
			return nil, fmt.Errorf("section %d %s: %w", id, s.Name, body.err)
		}
		m.Sections = append(m.Sections, s)
	}
	if r.err != nil {
		return nil, r.err
	}
	for i := range m.Funcs {
		m.Funcs[i].Index = m.Imports + i
		m.Funcs[i].Name = names[m.Imports+i]
	}
	return m, nil
}

// countFuncImports returns how many of the imports are functions: they
// take the first function indices.
func countFuncImports(r *reader) int {
	funcs := 0
	for i, n := 0, r.u32(); i < n && r.err == nil; i++ {
		r.name() // module
		r.name() // field
		switch kind := r.byte(); kind {
		case 0: // function: type index
			r.u32()
			funcs++
		case 1: // table: reference type, limits
			r.byte()
			limits(r)
		case 2: // memory: limits
			limits(r)
		case 3: // global: value type, mutability
			r.byte()
			r.byte()
		case 4: // tag: attribute, type index
			r.byte()
			r.u32()
		default:
			r.fail("import kind %d", kind)
		}
	}
	return funcs
}

func limits(r *reader) {
	flags := r.byte()
	r.u32()
	if flags&1 != 0 {
		r.u32()
	}
}

// readNames reads the function names subsection (1) of a name section;
// the other subsections are skipped.
func readNames(r *reader, names map[int]string) {
	for r.err == nil && r.off < len(r.b) {
		id := r.byte()
		sub := &reader{b: r.bytes(r.u32())}
		if id != 1 {
			continue
		}
		for i, n := 0, sub.u32(); i < n && sub.err == nil; i++ {
			idx := sub.u32()
			names[idx] = sub.name()
		}
		if sub.err != nil {
			r.fail("function names: %v", sub.err)
		}
	}
}

// Packages maps function names to Go packages. Go's linker writes a
// function's name with every character other than a letter, digit, "_" or
// "." replaced by "_" ("syscall_js.Value.Call",
// "github.com_duplexgo_duplex_wsclient.__Conn_.Read"), so the package of a
// name is found by matching it against the program's package paths,
// mangled the same way (from `go list -deps`).
type Packages struct {
	byMangled map[string]string
}

// NewPackages returns the mapping for a program made of the packages
// paths.
func NewPackages(paths []string) *Packages {
	p := &Packages{byMangled: map[string]string{}}
	for _, path := range paths {
		p.byMangled[Mangle(path)] = path
	}
	return p
}

// Mangle writes s as Go's wasm linker writes symbol names in the name
// section: every character other than an ASCII letter, digit, "_" or "."
// becomes "_".
func Mangle(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c == '_' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Names of the groups that are not packages.
const (
	Generated = "type: (generated)"  // equality and hash functions the compiler makes
	Assembly  = "runtime (assembly)" // the runtime's helpers without a package: memeqbody, wasm_export_run, …
	Unnamed   = "(no name)"          // a function the name section does not name
)

// Of returns the package of a function name: the longest known package
// path that, mangled, is followed by "." in it. A name no package matches
// is Generated ("type_.eq.…"), Assembly (no "." at all), or its text up to
// the first "." with " (unresolved)".
func (p *Packages) Of(name string) string {
	best := ""
	for i := 0; i < len(name); i++ {
		if name[i] != '.' {
			continue
		}
		if path, ok := p.byMangled[name[:i]]; ok {
			best = path
		}
	}
	switch {
	case best != "":
		return best
	case name == "":
		return Unnamed
	case strings.HasPrefix(name, "type_."):
		return Generated
	case !strings.Contains(name, "."):
		return Assembly
	}
	first, _, _ := strings.Cut(name, ".")
	return first + " (unresolved)"
}

// Package is the code of one package.
type Package struct {
	Path  string `json:"package"`
	Funcs int    `json:"funcs"`
	Bytes int    `json:"bytes"` // function bodies in the code section
}

// ByPackage sums the function bodies of m by package (see Packages.Of),
// largest first (ties by path).
func ByPackage(m *Module, pkgs *Packages) []Package {
	sums := map[string]*Package{}
	for _, f := range m.Funcs {
		pkg := pkgs.Of(f.Name)
		p := sums[pkg]
		if p == nil {
			p = &Package{Path: pkg}
			sums[pkg] = p
		}
		p.Funcs++
		p.Bytes += f.Size
	}
	out := make([]Package, 0, len(sums))
	for _, p := range sums {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b Package) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Path, b.Path))
	})
	return out
}
