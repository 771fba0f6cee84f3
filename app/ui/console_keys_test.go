package ui

import (
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestSentHistory(t *testing.T) {
	var h sentHistory
	if got := h.recall(true, "draft"); got != "draft" {
		t.Errorf("recall with nothing sent = %q, want the draft", got)
	}
	for _, s := range []string{"a", "b", "b", "c"} {
		h.add(s)
	}
	if len(h.texts) != 3 {
		t.Errorf("texts %q: a repeat is kept once", h.texts)
	}
	steps := []struct {
		older bool
		want  string
	}{{true, "c"}, {true, "b"}, {true, "a"}, {true, "a"}, {false, "b"}, {false, "c"}, {false, "typing"}, {false, "typing"}}
	for i, s := range steps {
		if got := h.recall(s.older, "typing"); got != s.want {
			t.Errorf("step %d: %q, want %q", i+1, got, s.want)
		}
	}
	for i := range maxSentHistory + 5 {
		h.add(string(rune('A' + i)))
	}
	if len(h.texts) != maxSentHistory || h.texts[len(h.texts)-1] != string(rune('A'+maxSentHistory+4)) {
		t.Errorf("%d texts kept, last %q", len(h.texts), h.texts[len(h.texts)-1])
	}
}

// The console has one h1, and screen readers hear readyState changes and
// new log entries through its polite live region.
func TestConsoleAnnouncesToScreenReaders(t *testing.T) {
	c, e, _, _ := connectConsole(t)
	if n := strings.Count(app.HTMLString(c), "<h1"); n != 1 {
		t.Errorf("%d h1 elements, want 1", n)
	}
	eventually(t, e, "readyState OPEN announced", func() bool {
		return strings.HasPrefix(textOf(c, "console-announce"), "readyState OPEN")
	})
	if got := attrOf(c, "console-announce", "aria-live"); got != "polite" {
		t.Errorf("aria-live = %q", got)
	}
}
