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
	"github.com/duplexgo/duplex/server/natstest"
)

// chatSetup is one way of serving the big room: the URLs members join
// through (split evenly) and the processes whose CPU time counts.
type chatSetup struct {
	name string // report.ChatOneNode or report.ChatTwoNodes
	urls []string
	pids []int
}

// runChat measures one big chat room (see load.Chat) served two ways in
// the same rounds: one benchserver with the in-memory hub, and two
// benchservers sharing the room through a nats-server (members split
// evenly between them). Each round runs both, the order alternating.
func runChat(ctx context.Context, cfg runConfig) (*report.Chat, error) {
	res := &report.Chat{}
	single, err := startBenchServer(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer single.Stop()
	setups := []chatSetup{{name: report.ChatOneNode, urls: []string{"ws://" + single.Addr + "/chat"}, pids: []int{single.Pid()}}}

	cluster, stop, err := startCluster(ctx, cfg)
	if err != nil {
		res.Errors = append(res.Errors, "two nodes on NATS: "+err.Error())
		log.Printf("chat: two nodes on NATS not measured: %v", err)
	} else {
		defer stop()
		setups = append(setups, cluster)
	}

	for round := range cfg.chatRounds {
		for _, s := range report.Rotation(setups, round) {
			r, err := chatRound(ctx, cfg, s, round)
			if err != nil {
				res.Errors = append(res.Errors, fmt.Sprintf("round %d, %s: %v", round+1, s.name, err))
				log.Printf("chat round %d, %s: %v", round+1, s.name, err)
				continue
			}
			res.Rounds = append(res.Rounds, r)
		}
	}
	return res, nil
}

// startCluster starts a nats-server and two benchservers that share their
// rooms through it.
func startCluster(ctx context.Context, cfg runConfig) (chatSetup, func(), error) {
	dir, err := os.MkdirTemp("", "duplex-bench-nats-")
	if err != nil {
		return chatSetup{}, nil, err
	}
	ns, err := natstest.Launch("", dir)
	if err != nil {
		os.RemoveAll(dir)
		return chatSetup{}, nil, fmt.Errorf("nats-server: %w", err)
	}
	var nodes []*procs.Child
	stop := func() {
		for _, n := range nodes {
			n.Stop()
		}
		ns.Stop()
		os.RemoveAll(dir)
	}
	s := chatSetup{name: report.ChatTwoNodes, pids: []int{ns.Pid()}}
	for range 2 {
		n, err := startBenchServer(ctx, cfg, "-nats", ns.URL)
		if err != nil {
			stop()
			return chatSetup{}, nil, err
		}
		nodes = append(nodes, n)
		s.urls = append(s.urls, "ws://"+n.Addr+"/chat")
		s.pids = append(s.pids, n.Pid())
	}
	return s, stop, nil
}

// chatRound runs one big-room load on setup s.
func chatRound(ctx context.Context, cfg runConfig, s chatSetup, round int) (report.ChatRound, error) {
	cpu0 := cpuTime(s.pids)
	r, err := load.Chat(ctx, load.ChatConfig{
		URLs:     s.urls,
		Room:     fmt.Sprintf("big-%d-%d", round, len(s.urls)),
		Members:  cfg.chatMembers,
		Senders:  cfg.chatSenders,
		Rate:     cfg.chatRate,
		Duration: cfg.chatDuration,
	})
	cpu1 := cpuTime(s.pids)
	if err != nil {
		return report.ChatRound{}, err
	}
	cr := report.ChatRound{ChatResult: r, Setup: s.name, LoadAvg: loadAvg()}
	if cpu0 >= 0 && cpu1 >= 0 {
		cr.CPUSeconds = (cpu1 - cpu0).Seconds()
	}
	log.Printf("chat round %d, %s: %d members in %.2fs; %d sent, %.0f deliveries/s, p50 %.0f ms, p99 %.0f ms, max %.0f ms; delivered %d of %d; dropped %d; server CPU %.1fs; load %s",
		round+1, s.name, r.Members, r.FillSeconds, r.Sent, r.PerSecond, r.P50Ms, r.P99Ms, r.MaxMs, r.Delivered, r.Expected, r.Dropped, cr.CPUSeconds, cr.LoadAvg)
	// Let the closed connections drain before the next round.
	for _, pid := range s.pids {
		waitFDsBelow(pid, 50, 15*time.Second)
	}
	return cr, nil
}

// cpuTime sums the CPU time of the processes, or returns -1 if one cannot
// be read.
func cpuTime(pids []int) time.Duration {
	var sum time.Duration
	for _, pid := range pids {
		t, err := procs.CPUTime(pid)
		if err != nil {
			return -1
		}
		sum += t
	}
	return sum
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
