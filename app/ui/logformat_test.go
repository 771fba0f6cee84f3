package ui

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/duplexgo/duplex/wsclient"
)

// joinSpans renders spans as text, each classed token as class{text}.
func joinSpans(spans []jsonSpan) string {
	var b strings.Builder
	for _, s := range spans {
		if s.Class == jsonNone {
			b.WriteString(s.Text)
		} else {
			b.WriteString(s.Class + "{" + s.Text + "}")
		}
	}
	return b.String()
}

func TestPrettyJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{}`, `{}`},
		{` [ ] `, `[]`},
		{`{"a":1}`, "{\n  j-key{\"a\"}: j-num{1}\n}"},
		{`{"s":"<b>&\n\"","n":-1.50e3,"t":true,"f":false,"z":null,"e":{},"l":[[],{"k":[1]}]}`,
			"{\n  j-key{\"s\"}: j-str{\"<b>&\\n\\\"\"},\n  j-key{\"n\"}: j-num{-1.50e3},\n  j-key{\"t\"}: j-lit{true},\n" +
				"  j-key{\"f\"}: j-lit{false},\n  j-key{\"z\"}: j-lit{null},\n  j-key{\"e\"}: {},\n" +
				"  j-key{\"l\"}: [\n    [],\n    {\n      j-key{\"k\"}: [\n        j-num{1}\n      ]\n    }\n  ]\n}"},
		{`["x", 2]`, "[\n  j-str{\"x\"},\n  j-num{2}\n]"},
	} {
		spans, err := prettyJSON([]byte(tc.in))
		if err != nil {
			t.Errorf("prettyJSON(%s): %v", tc.in, err)
			continue
		}
		if got := joinSpans(spans); got != tc.want {
			t.Errorf("prettyJSON(%s) =\n%s\nwant\n%s", tc.in, got, tc.want)
		}
		// Without classes, it is what json.Indent writes.
		var plain strings.Builder
		for _, s := range spans {
			plain.WriteString(s.Text)
		}
		var ind bytes.Buffer
		if err := json.Indent(&ind, []byte(strings.TrimSpace(tc.in)), "", "  "); err != nil || plain.String() != ind.String() {
			t.Errorf("prettyJSON(%s) as text =\n%s\nwant json.Indent's\n%s (%v)", tc.in, plain.String(), ind.String(), err)
		}
	}
	for _, bad := range []string{`{`, `{"a":}`, `[1,]`, `{} {}`, `[1] 2`, `nope`, ``} {
		if spans, err := prettyJSON([]byte(bad)); err == nil {
			t.Errorf("prettyJSON(%q) = %q, want an error", bad, joinSpans(spans))
		}
	}
}

func TestLooksLikeJSON(t *testing.T) {
	for in, want := range map[string]bool{`{}`: true, " [1]\n": true, `"s"`: false, `42`: false, `{`: false, ``: false, `[x`: false} {
		if got := looksLikeJSON([]byte(in)); got != want {
			t.Errorf("looksLikeJSON(%q) = %t", in, got)
		}
	}
}

func TestHexDump(t *testing.T) {
	if got := hexDump(nil); got != "" {
		t.Errorf("hexDump(nil) = %q", got)
	}
	p := []byte("\xde\xadABCDEFGHIJKLMN\x00\x7f~ ")
	want := "00000000  de ad 41 42 43 44 45 46  47 48 49 4a 4b 4c 4d 4e  |..ABCDEFGHIJKLMN|\n" +
		"00000010  00 7f 7e 20                                       |..~ |\n"
	if got := hexDump(p); got != want {
		t.Errorf("hexDump =\n%s\nwant\n%s", got, want)
	}
	big := make([]byte, 0x10020)
	lines := strings.Split(strings.TrimSuffix(hexDump(big), "\n"), "\n")
	if len(lines) != 0x1002 || !strings.HasPrefix(lines[0x1001], "00010010  00") {
		t.Errorf("%d lines, the last %q", len(lines), lines[len(lines)-1])
	}
	for i, l := range lines {
		if len(l) != 78 {
			t.Fatalf("line %d is %d characters: %q", i, len(l), l)
		}
	}
}

func TestHexString(t *testing.T) {
	if got := hexString([]byte{0, 0xab, 0xff}); got != "00 ab ff" {
		t.Errorf("hexString = %q", got)
	}
	if p, err := parseHex(hexString([]byte{1, 2, 3})); err != nil || string(p) != "\x01\x02\x03" {
		t.Errorf("parseHex(hexString) = %x, %v", p, err)
	}
}

func TestExportLog(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891e6, time.FixedZone("", 3600))
	text := messageEntry(dirOut, wsclient.Text, []byte("héllo <\"json\">\n"), at)
	bin := messageEntry(dirIn, wsclient.Binary, []byte{0, 1, 0xfe, 0xff}, at)
	cl := closeEntry(&wsclient.CloseError{Code: 4000, Reason: "bye", WasClean: false})
	cl.Time = at
	info := logEntry{Time: at, Dir: dirEvent, Kind: kindInfo, Preview: "connecting to ws://x"}
	out := string(exportLog([]*logEntry{&text, &bin, &cl, &info}))
	want := `{"time":"2026-03-04T05:06:07.891+01:00","direction":"out","type":"text","size":16,"encoding":"text","payload":"héllo <\"json\">\n"}
{"time":"2026-03-04T05:06:07.891+01:00","direction":"in","type":"binary","size":4,"encoding":"base64","payload":"AAH+/w=="}
{"time":"2026-03-04T05:06:07.891+01:00","direction":"event","type":"close","size":0,"encoding":"text","payload":"code 4000 · reason \"bye\" · wasClean false","code":4000,"reason":"bye","wasClean":false}
{"time":"2026-03-04T05:06:07.891+01:00","direction":"event","type":"info","size":0,"encoding":"text","payload":"connecting to ws://x"}
`
	if cl.Preview != `code 4000 · reason "bye" · wasClean false` {
		want = strings.Replace(want, `code 4000 · reason \"bye\" · wasClean false`, strings.ReplaceAll(cl.Preview, `"`, `\"`), 1)
	}
	if out != want {
		t.Errorf("exportLog =\n%s\nwant\n%s", out, want)
	}
	if exportName(at) != "duplex-log-20260304-050607.jsonl" {
		t.Errorf("exportName = %q", exportName(at))
	}
}
