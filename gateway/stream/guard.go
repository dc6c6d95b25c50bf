package stream

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// TokenProtocolPrefix lets a browser, which cannot set an Authorization
// header on a websocket, send the token as a subprotocol:
// "skyport.bearer.<token>", offered next to Subprotocol.
const TokenProtocolPrefix = "skyport.bearer." //nolint:gosec // a prefix, not a credential

// LoadToken returns the bearer token in path, creating it (32 random
// bytes, hex, mode 0600) on first use. A token file others may read is
// refused: anyone who can read it can watch every job.
func LoadToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return "", fmt.Errorf("stream token: %w", err)
		}
		tok := hex.EncodeToString(raw)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return LoadToken(path) // created meanwhile
		}
		if err != nil {
			return "", fmt.Errorf("stream token: %w", err)
		}
		_, err = f.WriteString(tok + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
			return "", fmt.Errorf("stream token %s: %w", path, err)
		}
		return tok, nil
	}
	if err != nil {
		return "", fmt.Errorf("stream token: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("stream token: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("stream token %s: mode %v lets others read it; chmod 600 it", path, fi.Mode().Perm())
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 32 {
		return "", fmt.Errorf("stream token %s: too short", path)
	}
	return tok, nil
}

// Guard protects the loopback TCP listener: a request must name the
// listener in Host (so a page whose DNS name was rebound to 127.0.0.1
// cannot reach it), come from no Origin or an allowed one, and carry the
// bearer token.
type Guard struct {
	token   []byte
	hosts   map[string]bool
	origins map[string]bool
}

// NewGuard returns the guard of a listener on addr (its actual address,
// port included). The listener's own origins (http and https on the
// loopback names with its port) are allowed, and origins too.
func NewGuard(token string, addr net.Addr, origins []string) (*Guard, error) {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return nil, fmt.Errorf("stream guard: %v is not a TCP address", addr)
	}
	port := strconv.Itoa(ta.Port)
	g := &Guard{token: []byte(token), hosts: map[string]bool{}, origins: map[string]bool{}}
	for _, h := range []string{net.JoinHostPort("localhost", port), net.JoinHostPort(ta.IP.String(), port)} {
		g.hosts[h] = true
		g.origins["http://"+h] = true
		g.origins["https://"+h] = true
	}
	for _, o := range origins {
		g.origins[strings.ToLower(strings.TrimRight(o, "/"))] = true
	}
	return g, nil
}

// Wrap returns next behind the guard's checks: 403 for a foreign Host or
// Origin, 401 without the right token.
func (g *Guard) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.hosts[strings.ToLower(r.Host)] {
			http.Error(w, "skyport: forbidden host", http.StatusForbidden)
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !g.origins[strings.ToLower(o)] {
			http.Error(w, "skyport: forbidden origin", http.StatusForbidden)
			return
		}
		if !g.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="skyport"`)
			http.Error(w, "skyport: missing or wrong token", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Public returns next behind the Host check alone, for what carries no
// data (the dashboard's static pages): a browser loads a page before it
// has any way to send the token, which only the page's script offers.
func (g *Guard) Public(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.hosts[strings.ToLower(r.Host)] {
			http.Error(w, "skyport: forbidden host", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorized reports whether r carries the token, in an Authorization
// header or as a websocket subprotocol.
func (g *Guard) authorized(r *http.Request) bool {
	if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(v)), g.token) == 1
	}
	for _, h := range r.Header.Values("Sec-WebSocket-Protocol") {
		for p := range strings.SplitSeq(h, ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), TokenProtocolPrefix); ok {
				return subtle.ConstantTimeCompare([]byte(v), g.token) == 1
			}
		}
	}
	return false
}
