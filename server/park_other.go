//go:build !linux

package server

const parkingSupported = false

type poller struct{ parked parkedConns }

func thePoller() (*poller, error) { return nil, errParked }

func (p *poller) park(c *wsConn) bool { return false }
