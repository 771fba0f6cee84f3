package procs

import (
	"os"
	"testing"
)

func TestSelf(t *testing.T) {
	pid := os.Getpid()
	rss, err := RSS(pid)
	if err != nil || rss <= 0 {
		t.Fatalf("RSS = %d, %v", rss, err)
	}
	if _, err := CPUTime(pid); err != nil {
		t.Fatal(err)
	}
	n, err := OpenFiles(pid)
	if err != nil || n < 3 {
		t.Fatalf("OpenFiles = %d, %v", n, err)
	}
	soft, hard, err := RaiseNOFILE()
	if err != nil || soft != hard || soft == 0 {
		t.Fatalf("RaiseNOFILE = %d, %d, %v", soft, hard, err)
	}
}
