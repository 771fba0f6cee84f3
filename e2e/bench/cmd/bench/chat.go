package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/internal/load"
	"github.com/duplexgo/duplex/e2e/bench/internal/procs"
	"github.com/duplexgo/duplex/e2e/bench/internal/report"
)

// runChat measures one big chat room on benchserver: how fast it fills,
// and how messages reach every member (see load.Chat).
func runChat(ctx context.Context, cfg runConfig) (*report.Chat, error) {
	srv, err := startBenchServer(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	res := &report.Chat{}
	for round := range cfg.chatRounds {
		cpu0, err0 := procs.CPUTime(srv.Pid())
		r, err := load.Chat(ctx, load.ChatConfig{
			URL:      "ws://" + srv.Addr + "/chat",
			Room:     fmt.Sprintf("big-%d", round),
			Members:  cfg.chatMembers,
			Senders:  cfg.chatSenders,
			Rate:     cfg.chatRate,
			Duration: cfg.chatDuration,
		})
		cpu1, err1 := procs.CPUTime(srv.Pid())
		if err != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("round %d: %v", round+1, err))
			log.Printf("chat round %d: %v", round+1, err)
			continue
		}
		cr := report.ChatRound{ChatResult: r, LoadAvg: loadAvg()}
		if err0 == nil && err1 == nil {
			cr.CPUSeconds = (cpu1 - cpu0).Seconds()
		}
		res.Rounds = append(res.Rounds, cr)
		log.Printf("chat round %d: %d members in %.2fs; %d sent, %.0f deliveries/s, p50 %.0f ms, p99 %.0f ms, max %.0f ms; delivered %d of %d; dropped %d; server CPU %.1fs; load %s",
			round+1, r.Members, r.FillSeconds, r.Sent, r.PerSecond, r.P50Ms, r.P99Ms, r.MaxMs, r.Delivered, r.Expected, r.Dropped, cr.CPUSeconds, cr.LoadAvg)
		// Let the closed connections drain before the next round.
		waitFDsBelow(srv.Pid(), 50, 15*time.Second)
	}
	return res, nil
}

// loadAvg returns the 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
