//go:build !js

package bridge

// A small WebAssembly binary encoder: just what the bridge module needs
// (functions, externref tables and globals, an imported memory), so that the
// module is written as readable Go rather than as opaque bytes.

// Value types.
const (
	i32       byte = 0x7f
	externref byte = 0x6f
)

// Instructions (WebAssembly 2.0 core, with reference types and bulk memory).
const (
	opBlock     byte = 0x02
	opLoop      byte = 0x03
	opIf        byte = 0x04
	opElse      byte = 0x05
	opEnd       byte = 0x0b
	opBr        byte = 0x0c
	opBrIf      byte = 0x0d
	opReturn    byte = 0x0f
	opCall      byte = 0x10
	opDrop      byte = 0x1a
	opLocalGet  byte = 0x20
	opLocalSet  byte = 0x21
	opLocalTee  byte = 0x22
	opGlobalGet byte = 0x23
	opGlobalSet byte = 0x24
	opTableGet  byte = 0x25
	opTableSet  byte = 0x26
	opI32Store  byte = 0x36
	opI32Const  byte = 0x41
	opI32Eqz    byte = 0x45
	opI32LtU    byte = 0x49
	opI32GtU    byte = 0x4b
	opI32GeU    byte = 0x4f
	opI32Add    byte = 0x6a
	opI32Sub    byte = 0x6b
	opI32Mul    byte = 0x6c
	opI32RemU   byte = 0x70
	opRefNull   byte = 0xd0
	opPrefixFC  byte = 0xfc
	fcTableGrow byte = 0x0f
	fcTableSize byte = 0x10
	fcTableFill byte = 0x11
	fcTableCopy byte = 0x0e
	blockEmpty  byte = 0x40
)

// funcType is a function signature.
type funcType struct{ params, results []byte }

// function is an imported or defined function.
type function struct {
	name   string // import field or export name ("" for internal functions)
	typ    funcType
	index  uint32
	locals []byte // defined functions: the types of the locals after the params
	body   []byte // defined functions: the code, without the final end
	export bool
}

// global is an imported (immutable) or defined (mutable) global.
type global struct {
	name  string
	typ   byte
	index uint32
	init  []byte // defined globals: constant expression without end
}

// module collects the parts of a module in index order: imported functions
// and globals first, as WebAssembly numbers them.
type module struct {
	importModule string
	funcImports  []*function
	funcs        []*function
	globImports  []*global
	globs        []*global
	memImport    string // the imported memory's name, "" for none
	memMinPages  uint32
	tableMin     uint32
}

func (m *module) importFunc(name string, params, results []byte) *function {
	f := &function{name: name, typ: funcType{params, results}, index: uint32(len(m.funcImports))}
	m.funcImports = append(m.funcImports, f)
	return f
}

// defineFunc adds a function; defined functions must all be added after the
// imports, since their indexes follow the imports'.
func (m *module) defineFunc(name string, export bool, params, results []byte) *function {
	f := &function{name: name, typ: funcType{params, results}, export: export,
		index: uint32(len(m.funcImports) + len(m.funcs))}
	m.funcs = append(m.funcs, f)
	return f
}

func (m *module) importGlobal(name string, typ byte) *global {
	g := &global{name: name, typ: typ, index: uint32(len(m.globImports))}
	m.globImports = append(m.globImports, g)
	return g
}

func (m *module) defineGlobal(typ byte) *global {
	g := &global{typ: typ, index: uint32(len(m.globImports) + len(m.globs))}
	switch typ {
	case i32:
		g.init = []byte{opI32Const, 0}
	case externref:
		g.init = []byte{opRefNull, externref}
	}
	m.globs = append(m.globs, g)
	return g
}

// encode returns the binary module.
func (m *module) encode() []byte {
	var types []funcType
	typeIndex := func(t funcType) uint32 {
		for i, u := range types {
			if string(u.params) == string(t.params) && string(u.results) == string(t.results) {
				return uint32(i)
			}
		}
		types = append(types, t)
		return uint32(len(types) - 1)
	}
	for _, f := range m.funcImports {
		typeIndex(f.typ)
	}
	for _, f := range m.funcs {
		typeIndex(f.typ)
	}

	out := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}
	section := func(id byte, items [][]byte) {
		if len(items) == 0 {
			return
		}
		body := uleb(nil, uint32(len(items)))
		for _, it := range items {
			body = append(body, it...)
		}
		out = append(out, id)
		out = uleb(out, uint32(len(body)))
		out = append(out, body...)
	}

	var typeItems [][]byte
	for _, t := range types {
		b := []byte{0x60}
		b = vec(b, t.params)
		b = vec(b, t.results)
		typeItems = append(typeItems, b)
	}
	section(1, typeItems)

	var importItems [][]byte
	for _, f := range m.funcImports {
		b := name(name(nil, m.importModule), f.name)
		b = append(b, 0x00)
		b = uleb(b, typeIndex(f.typ))
		importItems = append(importItems, b)
	}
	if m.memImport != "" {
		b := name(name(nil, m.importModule), m.memImport)
		b = append(b, 0x02, 0x00)
		b = uleb(b, m.memMinPages)
		importItems = append(importItems, b)
	}
	for _, g := range m.globImports {
		b := name(name(nil, m.importModule), g.name)
		b = append(b, 0x03, g.typ, 0x00)
		importItems = append(importItems, b)
	}
	section(2, importItems)

	var funcItems [][]byte
	for _, f := range m.funcs {
		funcItems = append(funcItems, uleb(nil, typeIndex(f.typ)))
	}
	section(3, funcItems)

	section(4, [][]byte{uleb([]byte{externref, 0x00}, m.tableMin)})

	var globItems [][]byte
	for _, g := range m.globs {
		b := append([]byte{g.typ, 0x01}, g.init...)
		globItems = append(globItems, append(b, opEnd))
	}
	section(6, globItems)

	var exportItems [][]byte
	for _, f := range m.funcs {
		if f.export {
			exportItems = append(exportItems, uleb(append(name(nil, f.name), 0x00), f.index))
		}
	}
	section(7, exportItems)

	var codeItems [][]byte
	for _, f := range m.funcs {
		var b []byte
		b = uleb(b, uint32(len(f.locals)))
		for _, t := range f.locals {
			b = append(b, 0x01, t)
		}
		b = append(b, f.body...)
		b = append(b, opEnd)
		codeItems = append(codeItems, uleb(nil, uint32(len(b))), b)
	}
	// The code section's items are (size, body) pairs: join them.
	var joined [][]byte
	for i := 0; i < len(codeItems); i += 2 {
		joined = append(joined, append(codeItems[i], codeItems[i+1]...))
	}
	section(10, joined)
	return out
}

func uleb(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func sleb(b []byte, v int32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func vec(b, items []byte) []byte { return append(uleb(b, uint32(len(items))), items...) }

func name(b []byte, s string) []byte { return append(uleb(b, uint32(len(s))), s...) }
