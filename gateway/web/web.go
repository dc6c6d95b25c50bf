// Package web is skyportd's dashboard: a few static files (HTML, CSS and
// JavaScript modules, no build step, nothing fetched from elsewhere)
// embedded in the daemon and served on the event stream's loopback TCP
// listener. The pages carry no data: the script reads everything from the
// authenticated websocket (gateway/api/stream), so the pages themselves
// need no token and the daemon serves them to anyone who names the
// listener in Host.
//
// The token reaches the page in the URL's fragment (#token=...), which a
// browser never sends to a server and which no log records; the page
// moves it to sessionStorage, drops the fragment from the address bar and
// offers it to the websocket as the "skyport.bearer.<token>" subprotocol.
//
// Routes: / (the queue), /jobs/ID (a job: its timeline and live output)
// and /assets/NAME (the embedded files).
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

// page is the one HTML page; the script picks the view from the path.
const page = "index.html"

// types are the content types of the assets, by extension: fixed here
// rather than taken from the system's tables, since a browser runs a
// module script only when its type says JavaScript.
var types = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
}

// file is one embedded asset, read once.
type file struct {
	data  []byte
	etag  string
	ctype string
}

// Handler serves the dashboard. It is safe for concurrent use.
type Handler struct {
	files map[string]file
	mux   *http.ServeMux
}

// New returns the dashboard's handler; it fails only if the embedded
// files are broken (a build mistake).
func New() (*Handler, error) {
	h := &Handler{files: map[string]file{}, mux: http.NewServeMux()}
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct, ok := types[path.Ext(p)]
		if !ok {
			return fmt.Errorf("%s: no content type for its extension", p)
		}
		h.files[strings.TrimPrefix(p, "assets/")] = file{data: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, ctype: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: embedded assets: %w", err)
	}
	if _, ok := h.files[page]; !ok {
		return nil, fmt.Errorf("web: embedded assets: no %s", page)
	}
	h.mux.HandleFunc("GET /{$}", h.servePage)
	h.mux.HandleFunc("GET /jobs/{id}", h.servePage)
	h.mux.HandleFunc("GET /assets/{name}", h.serveAsset)
	return h, nil
}

// ServeHTTP implements http.Handler: GET and HEAD of the routes above,
// 404 for any other path.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secure(w.Header(), r.Host)
	h.mux.ServeHTTP(w, r)
}

// servePage answers with the page, which is never cached: the address it
// is opened with may carry the token.
func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	h.serve(w, r, page)
}

// serveAsset answers with an embedded file; browsers revalidate it (by
// its ETag) so that a new daemon's files are used at once.
func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if name == page {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	h.serve(w, r, name)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, name string) {
	f, ok := h.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}

// secure sets the headers every answer carries: the page may load only
// its own files and open a websocket only to the host it came from
// (already checked against the listener's names by the caller), and may
// not be framed, sniffed or followed by a Referer.
func secure(h http.Header, host string) {
	connect := "'self'"
	if plainHost(host) {
		connect += " ws://" + host
	}
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src " + connect +
		"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// plainHost reports whether host is a host[:port] with nothing that could
// end a directive of the policy it is written into.
func plainHost(host string) bool {
	if host == "" {
		return false
	}
	for _, c := range host {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c)
		if !ok {
			return false
		}
	}
	return true
}
