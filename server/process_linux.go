package server

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// userHZ is the unit of the CPU times in /proc/self/stat (USER_HZ, 100 on
// every Linux architecture Go supports).
const userHZ = 100

// readProcess reads the process's CPU time, memory and file descriptors
// from /proc. A value that cannot be read is left out.
func readProcess() []processSample {
	var out []processSample
	if stat, err := os.ReadFile("/proc/self/stat"); err == nil {
		// The command name, in parentheses, may contain spaces: the fields
		// after it start with the state (field 3 of proc(5)).
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 {
			f := bytes.Fields(stat[i+1:])
			if len(f) > 12 {
				ut, err1 := strconv.ParseUint(string(f[11]), 10, 64)
				st, err2 := strconv.ParseUint(string(f[12]), 10, 64)
				if err1 == nil && err2 == nil {
					out = append(out, processSample{"process_cpu_seconds_total", "counter",
						"Total user and system CPU time spent in seconds.", float64(ut+st) / userHZ})
				}
			}
		}
	}
	if statm, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := bytes.Fields(statm); len(f) > 1 {
			page := float64(os.Getpagesize())
			size, err1 := strconv.ParseUint(string(f[0]), 10, 64)
			rss, err2 := strconv.ParseUint(string(f[1]), 10, 64)
			if err1 == nil && err2 == nil {
				out = append(out,
					processSample{"process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", float64(rss) * page},
					processSample{"process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", float64(size) * page})
			}
		}
	}
	if d, err := os.Open("/proc/self/fd"); err == nil {
		names, err := d.Readdirnames(-1)
		d.Close()
		if err == nil {
			// Less the descriptor that listed them.
			out = append(out, processSample{"process_open_fds", "gauge", "Number of open file descriptors.", float64(len(names) - 1)})
		}
	}
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil {
		out = append(out, processSample{"process_max_fds", "gauge", "Maximum number of open file descriptors.", float64(rl.Cur)})
	}
	return out
}
