package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duplexgo/duplex/e2e/bench/internal/stats"
	"github.com/duplexgo/duplex/e2e/bench/internal/wsframe"
)

// ChatConfig describes a big-room run: Members clients join one room of a
// duplex chat server, then Senders of them post Rate messages per second in
// all, for Duration, while every member reads at its own pace.
type ChatConfig struct {
	URL string // ws://127.0.0.1:port/chat
	// URLs, when set, replaces URL: member i joins through URLs[i%len]
	// (the nodes of a cluster sharing the room).
	URLs        []string
	Room        string
	Members     int
	Senders     int
	Rate        float64 // messages per second, all senders together
	Duration    time.Duration
	Concurrency int // joins in flight at once (default 64)
	// Drain bounds the wait for the last deliveries after the senders
	// stop (default 10s).
	Drain time.Duration
}

// ChatResult is what a big-room run measured.
type ChatResult struct {
	Members     int     `json:"members"`
	Senders     int     `json:"senders"`
	Rate        float64 `json:"rate"`         // messages per second asked for
	FillSeconds float64 `json:"fill_seconds"` // until every member had its welcome
	Sent        int64   `json:"sent"`
	Expected    int64   `json:"expected"`  // sent × members
	Delivered   int64   `json:"delivered"` // messages the members received
	Seconds     float64 `json:"seconds"`   // from the first send to the last delivery
	PerSecond   float64 `json:"deliveries_per_second"`
	P50Ms       float64 `json:"p50_ms"` // send to delivery
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	Dropped     int     `json:"dropped"`              // members the server closed
	DropCodes   []int   `json:"drop_codes,omitempty"` // their close codes (0: none)
	Unexpected  string  `json:"unexpected,omitempty"` // a frame or error the run did not expect
}

// chatMember is one member's connection and what it counted.
type chatMember struct {
	c         *Conn
	delivered atomic.Int64
	latencies []float64 // milliseconds, every 4th delivery
	ended     chan struct{}
	endErr    error
}

// messageStart and textKey find a message's text in a frame the server
// sends: {"type":"message","id":1,"from":"m1","text":"...",...}.
var (
	messageStart = []byte(`{"type":"message"`)
	textKey      = []byte(`"text":"`)
)

// read reads the member's frames until the connection ends, counting the
// messages and the time each took from its sender (whose clock is the same:
// the text starts with the send time in Unix nanoseconds).
func (m *chatMember) read() {
	defer close(m.ended)
	var n int64
	for {
		_, p, err := m.c.Read()
		if err != nil {
			m.endErr = err
			return
		}
		if !bytes.HasPrefix(p, messageStart) {
			continue // join, leave
		}
		now := time.Now().UnixNano()
		i := bytes.Index(p, textKey)
		if i < 0 {
			continue
		}
		t := p[i+len(textKey):]
		var sentAt int64
		for _, c := range t {
			if c < '0' || c > '9' {
				break
			}
			sentAt = sentAt*10 + int64(c-'0')
		}
		if n%4 == 0 {
			m.latencies = append(m.latencies, float64(now-sentAt)/1e6)
		}
		n++
		m.delivered.Store(n)
	}
}

// Chat runs a big-room benchmark against a duplex chat server.
func Chat(ctx context.Context, cfg ChatConfig) (ChatResult, error) {
	res := ChatResult{Members: cfg.Members, Senders: cfg.Senders, Rate: cfg.Rate}
	if cfg.Members <= 0 || cfg.Members > MaxConns || cfg.Senders <= 0 || cfg.Senders > cfg.Members {
		return res, fmt.Errorf("load: %d members, %d senders: want 1..%d members and at most as many senders", cfg.Members, cfg.Senders, MaxConns)
	}
	if cfg.Duration <= 0 || cfg.Duration > MaxDuration || cfg.Rate <= 0 {
		return res, fmt.Errorf("load: duration %v, rate %v: want up to %v and a positive rate", cfg.Duration, cfg.Rate, MaxDuration)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
	}
	if cfg.Drain <= 0 || cfg.Drain > MaxDuration {
		cfg.Drain = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, 2*MaxDuration+cfg.Duration+cfg.Drain)
	defer cancel()

	// Join: every member reads from its welcome on.
	members := make([]*chatMember, cfg.Members)
	defer func() {
		for _, m := range members {
			if m != nil {
				m.c.Close()
				<-m.ended
			}
		}
	}()
	start := time.Now()
	err := inParallel(ctx, cfg.Members, cfg.Concurrency, func(i int) error {
		m, err := joinChat(ctx, cfg, i)
		if err != nil {
			return fmt.Errorf("load: member %d of %d: %w", i+1, cfg.Members, err)
		}
		members[i] = m
		return nil
	})
	if err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.FillSeconds = time.Since(start).Seconds()

	// Send: each sender at Rate/Senders, the senders' ticks spread over
	// one period.
	period := time.Duration(float64(cfg.Senders) / cfg.Rate * float64(time.Second))
	var sent atomic.Int64
	var wg sync.WaitGroup
	sendStart := time.Now()
	for s := range cfg.Senders {
		wg.Go(func() {
			time.Sleep(period * time.Duration(s) / time.Duration(cfg.Senders))
			tick := time.NewTicker(period)
			defer tick.Stop()
			end := time.After(cfg.Duration - period*time.Duration(s)/time.Duration(cfg.Senders))
			c := members[s].c
			var buf []byte
			for {
				select {
				case <-end:
					return
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				buf = strconv.AppendInt(buf[:0], time.Now().UnixNano(), 10)
				buf = append(buf, " the quick brown fox"...)
				msg := append([]byte(`{"type":"message","text":"`), buf...)
				msg = append(msg, `"}`...)
				if err := c.Write(wsframe.OpText, msg); err != nil {
					return // counted as dropped below
				}
				sent.Add(1)
			}
		})
	}
	wg.Wait()
	res.Sent = sent.Load()

	// Drain: until every member alive has every message, or the bound.
	deadline := time.Now().Add(cfg.Drain)
	for {
		var got, want int64
		for _, m := range members {
			select {
			case <-m.ended:
				continue
			default:
			}
			got += m.delivered.Load()
			want += res.Sent
		}
		if got >= want || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	res.Seconds = time.Since(sendStart).Seconds()

	var all []float64
	for _, m := range members {
		res.Delivered += m.delivered.Load()
		select {
		case <-m.ended:
			res.Dropped++
			var ce *CloseError
			if errors.As(m.endErr, &ce) {
				res.DropCodes = append(res.DropCodes, ce.Code())
			} else {
				res.DropCodes = append(res.DropCodes, 0)
			}
		default:
		}
	}
	// Stop the readers before reading their samples.
	for _, m := range members {
		m.c.Close()
		<-m.ended
		all = append(all, m.latencies...)
	}
	members = nil
	res.Expected = res.Sent * int64(cfg.Members)
	res.PerSecond = float64(res.Delivered) / res.Seconds
	res.P50Ms = stats.Median(all)
	res.P99Ms = stats.Percentile(all, 99)
	res.MaxMs = stats.Percentile(all, 100)
	return res, nil
}

// joinChat joins member i and reads its welcome.
func joinChat(ctx context.Context, cfg ChatConfig, i int) (*chatMember, error) {
	raw := cfg.URL
	if len(cfg.URLs) > 0 {
		raw = cfg.URLs[i%len(cfg.URLs)]
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	q := url.Values{"room": {cfg.Room}, "name": {"m" + strconv.Itoa(i)}}
	u.RawQuery = q.Encode()
	dctx, dcancel := context.WithTimeout(ctx, 15*time.Second)
	defer dcancel()
	c, err := Dial(dctx, dialer(nil, i), u.String())
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(15 * time.Second))
	_, p, err := c.Read()
	c.SetDeadline(time.Time{})
	if err != nil {
		c.Close()
		return nil, err
	}
	if !bytes.HasPrefix(p, []byte(`{"type":"welcome"`)) {
		c.Close()
		return nil, fmt.Errorf("first frame %.80q, want the welcome", p)
	}
	m := &chatMember{c: c, ended: make(chan struct{})}
	go m.read()
	return m, nil
}
