package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/BurntSushi/toml"
)

// StreamConfig is the [stream] table: the event stream's websocket, on the
// Unix socket always and, when TCP is set, on a loopback TCP port.
type StreamConfig struct {
	// TCP is a loopback address ("127.0.0.1:8642", "[::1]:8642",
	// "localhost:8642") for the websocket over TCP; "" for none. Clients
	// there need the bearer token in <state_dir>/stream.token.
	TCP string `toml:"tcp"`
	// Origins are the browser origins allowed besides the listener's own
	// (http://127.0.0.1:PORT, http://localhost:PORT).
	Origins []string `toml:"origins"`
	// KeepEvents and KeepAge are how many events, and for how long, are
	// kept for clients that reconnect; 0 means no bound of that kind.
	KeepEvents int      `toml:"keep_events"`
	KeepAge    Duration `toml:"keep_age"`
	// AllUsers lets every user see every job's events; by default a user
	// sees their own jobs only (root sees all).
	AllUsers bool `toml:"all_users"`
	// ClientBuffer is how many events may wait for one client before it
	// is told it lagged.
	ClientBuffer int `toml:"client_buffer"`
}

// defaultStream is the [stream] table's defaults.
func defaultStream() StreamConfig {
	return StreamConfig{KeepEvents: 100000, KeepAge: Duration(24 * time.Hour), ClientBuffer: 4096}
}

// streamTOML is the [stream] table of DefaultTOML.
const streamTOML = `
# The event stream (skyport watch, skyport tail -f): a websocket on the API
# socket and, when tcp is set, on a loopback TCP port.
[stream]
# A loopback address such as "127.0.0.1:8642"; "" serves the Unix socket only.
# Clients over TCP send the token in <state_dir>/stream.token (made 0600 on first use).
tcp = ""
# Browser origins allowed besides the listener's own (http://127.0.0.1:PORT), e.g.
# origins = ["http://localhost:3000"]
# Events kept for clients that reconnect: at most this many, none older than keep_age.
keep_events = 100000
keep_age = "24h0m0s"
# Let every user see every job's events (by default: their own; root sees all).
all_users = false
# Events that may wait for one slow client before it is told it lagged.
client_buffer = 4096
`

// keyError is a bad value of one configuration key; ParseConfig adds the
// line of the key.
type keyError struct {
	key toml.Key
	msg string
}

func (e *keyError) Error() string { return e.key.String() + ": " + e.msg }

// withLine prefixes a keyError with the line of its key in data.
func withLine(data []byte, err error) error {
	var ke *keyError
	if errors.As(err, &ke) {
		if line := keyLine(data, ke.key); line > 0 {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	return err
}

// validate checks the [stream] table.
func (c *StreamConfig) validate() error {
	bad := func(key, format string, args ...any) error {
		return &keyError{key: toml.Key{"stream", key}, msg: fmt.Sprintf(format, args...)}
	}
	if c.TCP != "" {
		host, port, err := net.SplitHostPort(c.TCP)
		if err != nil {
			return bad("tcp", "%q: must be host:port", c.TCP)
		}
		if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			return bad("tcp", "%q: bad port", c.TCP)
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return bad("tcp", "%q: must be a loopback address (127.0.0.1, ::1 or localhost)", c.TCP)
		}
	}
	for _, o := range c.Origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return bad("origins", "%q: must be an origin such as \"http://localhost:8080\"", o)
		}
	}
	if c.KeepEvents < 0 {
		return bad("keep_events", "must not be negative")
	}
	if c.ClientBuffer < 1 {
		return bad("client_buffer", "must be at least 1")
	}
	return nil
}
