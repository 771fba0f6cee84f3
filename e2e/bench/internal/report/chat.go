package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/duplexgo/duplex/e2e/bench/internal/load"
)

// Chat holds the big-room rounds: members join one room of duplex's chat,
// then some of them post while every member reads.
type Chat struct {
	Rounds []ChatRound `json:"rounds"`
	Errors []string    `json:"errors,omitempty"`
}

// The setups a big room is served by (ChatRound.Setup).
const (
	ChatOneNode  = "1 node, in memory"
	ChatTwoNodes = "2 nodes on NATS"
)

// ChatRound is one big-room run and the machine's state around it.
type ChatRound struct {
	load.ChatResult
	Setup      string  `json:"setup,omitempty"`    // ChatOneNode or ChatTwoNodes ("": one node, before there were two)
	CPUSeconds float64 `json:"server_cpu_seconds"` // the server's, joins and sends
	LoadAvg    string  `json:"loadavg"`            // /proc/loadavg's 1, 5 and 15 minutes, after the run
}

// Table has a row per round.
func (c *Chat) Table() Table {
	t := Table{Header: []string{"Setup", "Members", "Fill", "Messages sent", "Deliveries/s", "Latency p50", "p99", "max",
		"Delivered", "Dropped", "Server CPU", "Load average"}}
	for _, r := range c.Rounds {
		dropped := strconv.Itoa(r.Dropped)
		if r.Dropped > 0 {
			dropped += fmt.Sprintf(" (codes %v)", r.DropCodes)
		}
		delivered := "all"
		if r.Delivered != r.Expected {
			delivered = fmt.Sprintf("%d of %d", r.Delivered, r.Expected)
		}
		setup := r.Setup
		if setup == "" {
			setup = ChatOneNode
		}
		t.Rows = append(t.Rows, []string{
			setup,
			strconv.Itoa(r.Members),
			fmt.Sprintf("%.2f s", r.FillSeconds),
			fmt.Sprintf("%d (%.0f/s by %d)", r.Sent, r.Rate, r.Senders),
			FmtNum(r.PerSecond),
			fmt.Sprintf("%.0f ms", r.P50Ms),
			fmt.Sprintf("%.0f ms", r.P99Ms),
			fmt.Sprintf("%.0f ms", r.MaxMs),
			delivered,
			dropped,
			fmt.Sprintf("%.1f s", r.CPUSeconds),
			r.LoadAvg,
		})
	}
	return t
}

// Markdown returns the section on the big room.
func (c *Chat) Markdown() string {
	var b strings.Builder
	b.WriteString("### Chat: one big room\n\n")
	if len(c.Rounds) > 0 {
		r := c.Rounds[0]
		fmt.Fprintf(&b, "%d members join one room of benchserver's /chat (64 handshakes in flight; Fill: until every member has its welcome), then %d of them post %.0f messages per second in all for the run, while every member reads everything at its own pace. The load generator (lean native clients, package load) runs on the same 2 cores as the server. Latency: from a message's sending to its arrival at each member (every 4th delivery sampled). Dropped: members the server closed. Load average: after the round.\n\nEach round serves the room two ways, the order alternating: one benchserver with the in-memory hub, and two benchservers sharing the room through one nats-server (JetStream; members split evenly between the nodes, senders too). Server CPU adds up every process serving the room: both nodes and nats-server for the latter. All of it shares the same 2 cores with the load generator.\n\n",
			r.Members, r.Senders, r.Rate)
	}
	b.WriteString(c.Table().Markdown())
	b.WriteString("\n")
	writeErrors(&b, "Failed rounds", c.Errors)
	return b.String()
}
