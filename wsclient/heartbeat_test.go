package wsclient

import (
	"testing"
	"time"
)

func TestLivenessNeedsAnUnansweredPing(t *testing.T) {
	t0 := time.Unix(1000, 0)
	l := newLiveness(10*time.Second, t0)
	// A long silence alone — say the tab slept — is not death: no ping was
	// given a chance.
	if l.dead(t0.Add(time.Hour)) {
		t.Fatal("dead without any ping")
	}
	l.pinged(t0.Add(time.Hour))
	if l.dead(t0.Add(time.Hour + 9*time.Second)) {
		t.Fatal("dead before the ping's timeout")
	}
	if !l.dead(t0.Add(time.Hour + 10*time.Second)) {
		t.Fatal("alive although a ping went unanswered for the timeout")
	}
}

func TestLivenessAnyInboundCounts(t *testing.T) {
	t0 := time.Unix(1000, 0)
	l := newLiveness(10*time.Second, t0)
	l.pinged(t0.Add(5 * time.Second))
	l.pinged(t0.Add(8 * time.Second)) // later pings do not restart the clock
	l.inbound(t0.Add(9 * time.Second))
	if l.dead(t0.Add(30 * time.Second)) {
		t.Fatal("dead although a message arrived after the ping")
	}
	l.pinged(t0.Add(30 * time.Second))
	if !l.dead(t0.Add(40 * time.Second)) {
		t.Fatal("the second unanswered ping was not judged")
	}
}

func TestHeartbeatDefaults(t *testing.T) {
	if h := (Heartbeat{}).withDefaults(); h.Interval != 0 {
		t.Fatal("a zero heartbeat was enabled")
	}
	h := (Heartbeat{Interval: time.Second}).withDefaults()
	if h.Timeout != 2*time.Second || string(h.Ping.Data) != "ping" || h.Ping.Type != Text {
		t.Fatalf("defaults = %+v", h)
	}
}
