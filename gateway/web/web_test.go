package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newHandler(t *testing.T) *Handler {
	t.Helper()
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(h http.Handler, target string, hdr http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Host = "127.0.0.1:8642"
	for k, v := range hdr {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// The routes: the page at / and /jobs/ID, the assets with their types,
// 404 for the rest; the page is never cached.
func TestRoutes(t *testing.T) {
	t.Parallel()
	h := newHandler(t)
	cases := []struct {
		path, status, ctype, cache, body string
	}{
		{"/", "200", "text/html; charset=utf-8", "no-store", `<script type="module" src="/assets/app.js">`},
		{"/jobs/42", "200", "text/html; charset=utf-8", "no-store", `<main id="main">`},
		{"/assets/app.js", "200", "text/javascript; charset=utf-8", "no-cache", "takeToken"},
		{"/assets/stream.js", "200", "text/javascript; charset=utf-8", "no-cache", "skyport.bearer."},
		{"/assets/app.css", "200", "text/css; charset=utf-8", "no-cache", "table.jobs"},
		{"/assets/index.html", "404", "", "", ""},
		{"/assets/nope.js", "404", "", "", ""},
		{"/jobs/", "404", "", "", ""},
		{"/v1/jobs", "404", "", "", ""},
		{"/assets/..%2Fweb.go", "404", "", "", ""},
	}
	for _, c := range cases {
		w := get(h, c.path, nil)
		if got := w.Result().Status[:3]; got != c.status {
			t.Errorf("%s: status %s, want %s", c.path, got, c.status)
			continue
		}
		if c.status != "200" {
			continue
		}
		if got := w.Header().Get("Content-Type"); got != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if got := w.Header().Get("Cache-Control"); got != c.cache {
			t.Errorf("%s: Cache-Control %q, want %q", c.path, got, c.cache)
		}
		if !strings.Contains(w.Body.String(), c.body) {
			t.Errorf("%s: body lacks %q", c.path, c.body)
		}
	}
}

// Every answer, 404s included, carries the strict policy, which lets the
// page open a websocket only to its own host.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	h := newHandler(t)
	for _, p := range []string{"/", "/assets/app.js", "/nope"} {
		w := get(h, p, nil)
		csp := w.Header().Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self' ws://127.0.0.1:8642;", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: policy %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") || strings.Contains(csp, "*") {
			t.Errorf("%s: policy %q is not strict", p, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s: %s %q, want %q", p, k, got, v)
			}
		}
	}
	// A Host that could end a directive is left out of the policy.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Host = "x; script-src *"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if csp := w.Header().Get("Content-Security-Policy"); strings.Contains(csp, "*") || !strings.Contains(csp, "connect-src 'self';") {
		t.Errorf("odd host: policy %q", csp)
	}
}

// The assets are revalidated by ETag: an unchanged file answers 304.
func TestETag(t *testing.T) {
	t.Parallel()
	h := newHandler(t)
	w := get(h, "/assets/app.css", nil)
	tag := w.Header().Get("ETag")
	if len(tag) < 10 || tag[0] != '"' {
		t.Fatalf("ETag %q", tag)
	}
	if w := get(h, "/assets/app.css", http.Header{"If-None-Match": {tag}}); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes", w.Code, w.Body.Len())
	}
	if w := get(h, "/assets/app.js", http.Header{"If-None-Match": {tag}}); w.Code != http.StatusOK {
		t.Errorf("another file with that tag: %d", w.Code)
	}
}

// The pages hold no data and no inline script or style, which the policy
// would block.
func TestPagesCarryNoInlineCode(t *testing.T) {
	t.Parallel()
	h := newHandler(t)
	for name, f := range h.files {
		// An SVG's namespace is a name, not an address that is fetched.
		s := strings.ReplaceAll(string(f.data), `xmlns="http://www.w3.org/2000/svg"`, "")
		if strings.Contains(s, "http://") || strings.Contains(s, "https://") {
			t.Errorf("%s names an outside address", name)
		}
		if strings.HasSuffix(name, ".html") && (strings.Contains(s, "<script>") || strings.Contains(s, "style=") || strings.Contains(s, "<style")) {
			t.Errorf("%s has inline script or style", name)
		}
		if strings.Contains(s, "innerHTML") {
			t.Errorf("%s writes HTML from strings", name)
		}
	}
}
