//go:build !js

package bridge

// code builds a function body, one instruction per method, so module.go
// reads like the WebAssembly text format.
type code struct{ b []byte }

func (c *code) op(ops ...byte) *code           { c.b = append(c.b, ops...); return c }
func (c *code) i32(v int32) *code              { c.b = sleb(append(c.b, opI32Const), v); return c }
func (c *code) get(local uint32) *code         { c.b = uleb(append(c.b, opLocalGet), local); return c }
func (c *code) set(local uint32) *code         { c.b = uleb(append(c.b, opLocalSet), local); return c }
func (c *code) tee(local uint32) *code         { c.b = uleb(append(c.b, opLocalTee), local); return c }
func (c *code) gget(g *global) *code           { c.b = uleb(append(c.b, opGlobalGet), g.index); return c }
func (c *code) gset(g *global) *code           { c.b = uleb(append(c.b, opGlobalSet), g.index); return c }
func (c *code) call(f *function) *code         { c.b = uleb(append(c.b, opCall), f.index); return c }
func (c *code) drop() *code                    { return c.op(opDrop) }
func (c *code) ret() *code                     { return c.op(opReturn) }
func (c *code) end() *code                     { return c.op(opEnd) }
func (c *code) block() *code                   { return c.op(opBlock, blockEmpty) }
func (c *code) loop() *code                    { return c.op(opLoop, blockEmpty) }
func (c *code) ifThen() *code                  { return c.op(opIf, blockEmpty) }
func (c *code) ifElse() *code                  { return c.op(opElse) }
func (c *code) br(depth uint32) *code          { c.b = uleb(append(c.b, opBr), depth); return c }
func (c *code) brIf(depth uint32) *code        { c.b = uleb(append(c.b, opBrIf), depth); return c }
func (c *code) nullRef() *code                 { return c.op(opRefNull, externref) }
func (c *code) tableGet() *code                { return c.op(opTableGet, 0) }
func (c *code) tableSet() *code                { return c.op(opTableSet, 0) }
func (c *code) tableSize() *code               { return c.op(opPrefixFC, fcTableSize, 0) }
func (c *code) tableGrow() *code               { return c.op(opPrefixFC, fcTableGrow, 0) }
func (c *code) tableFill() *code               { return c.op(opPrefixFC, fcTableFill, 0) }
func (c *code) tableCopy() *code               { return c.op(opPrefixFC, fcTableCopy, 0, 0) }
func (c *code) store(offset uint32) *code      { c.b = uleb(append(c.b, opI32Store, 2), offset); return c }
func (c *code) add() *code                     { return c.op(opI32Add) }
func (c *code) sub() *code                     { return c.op(opI32Sub) }
func (c *code) remU() *code                    { return c.op(opI32RemU) }
func (c *code) mul() *code                     { return c.op(opI32Mul) }
func (c *code) eqz() *code                     { return c.op(opI32Eqz) }
func (c *code) ltU() *code                     { return c.op(opI32LtU) }
func (c *code) gtU() *code                     { return c.op(opI32GtU) }
func (c *code) geU() *code                     { return c.op(opI32GeU) }
func (c *code) incr(g *global, by int32) *code { return c.gget(g).i32(by).add().gset(g) }
