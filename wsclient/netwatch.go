package wsclient

// netEvent is a change of the browser's network or page visibility.
type netEvent int

const (
	netOnline  netEvent = iota // window "online"
	netOffline                 // window "offline"
	netVisible                 // document became visible
)
