//go:build !linux

package server

// readProcess returns nothing outside Linux: the process metrics other than
// process_start_time_seconds come from /proc.
func readProcess() []processSample { return nil }
