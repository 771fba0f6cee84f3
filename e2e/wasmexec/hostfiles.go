package main

import (
	"io/fs"
	"os"
	"path/filepath"
)

// maxHostFiles bounds the bytes of the host files given to the program.
var maxHostFiles int64 = 64 << 20

// hostFile is a file of the host that the page copies into the program's
// file system before it starts.
type hostFile struct {
	Path  string `json:"path"`
	Mode  uint32 `json:"mode"`
	MTime int64  `json:"mtime"` // in ms
}

// hostFiles lists what a test reads from the host as it would natively: the
// files in dir, the package's directory, and everything below dir/testdata,
// up to maxHostFiles bytes (skipped reports whether some were left out).
func hostFiles(dir string) (files []hostFile, skipped bool) {
	var total int64
	add := func(path string, info fs.FileInfo) {
		if !info.Mode().IsRegular() {
			return
		}
		if total+info.Size() > maxHostFiles {
			skipped = true
			return
		}
		total += info.Size()
		files = append(files, hostFile{path, uint32(info.Mode().Perm()), info.ModTime().UnixMilli()})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := os.Stat(filepath.Join(dir, e.Name())); err == nil {
			add(filepath.Join(dir, e.Name()), info)
		}
	}
	filepath.WalkDir(filepath.Join(dir, "testdata"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := os.Stat(path); err == nil {
			add(path, info)
		}
		return nil
	})
	return files, skipped
}
