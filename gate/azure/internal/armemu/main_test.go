package armemu_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"skyport/gate/azure/internal/armemu"
	"skyport/gate/local"
)

// ca is the tests' certificate authority. TestMain points SSL_CERT_FILE at
// it, so that the Azure SDK in this process and the programs the tests
// start (skyportd) trust the emulator's certificate.
var ca *testCA

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "supervise" {
		os.Exit(local.Supervise(os.Args[2:])) // the local gate's supervisor, for the gate tests' VMs
	}
	dir, err := os.MkdirTemp("", "armemu-ca-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if ca, err = newTestCA(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("SSL_CERT_FILE", ca.CAFile) // read once, by the first TLS client
	code := m.Run()
	cleanupLab()
	os.RemoveAll(dir)
	os.Exit(code)
}

// The identity the tests' emulators accept.
const (
	tenant = "11111111-1111-1111-1111-111111111111"
	client = "22222222-2222-2222-2222-222222222222"
	secret = "s3cret-value"
	sub    = "00000000-0000-0000-0000-000000000000"
)

// emu is an emulator served in this process over HTTPS with ca's
// certificate, and a client that trusts it.
type emu struct {
	srv *armemu.Server
	url string // "https://127.0.0.1:PORT"
	hc  *http.Client
	tok string // a bearer token, fetched by newEmu
}

// newEmu starts an emulator; cfg's identity and subscription are filled
// in.
func newEmu(t *testing.T, cfg armemu.Config) *emu {
	t.Helper()
	cfg.TenantID, cfg.ClientID, cfg.ClientSecret, cfg.Subscription = tenant, client, secret, sub
	srv, err := armemu.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv)
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Cert}, MinVersion: tls.VersionTLS12}
	hs.StartTLS()
	t.Cleanup(func() {
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	e := &emu{srv: srv, url: hs.URL, hc: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}}}}
	st, body := e.token(t, secret)
	if st != http.StatusOK {
		t.Fatalf("token: %d %s", st, body)
	}
	e.tok = body["access_token"].(string)
	return e
}

// token runs the client credentials grant with secret.
func (e *emu) token(t *testing.T, secret string) (int, map[string]any) {
	t.Helper()
	f := url.Values{"grant_type": {"client_credentials"}, "client_id": {client}, "client_secret": {secret},
		"scope": {"https://management.core.windows.net//.default"}}
	resp, err := e.hc.PostForm(e.url+"/"+tenant+"/oauth2/v2.0/token", f)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, resp)
}

// armResp is an ARM answer.
type armResp struct {
	Status int
	Header http.Header
	Body   map[string]any
}

// do sends an ARM request with the bearer token; path gets
// api-version=2024-07-01 unless it has a query.
func (e *emu) do(t *testing.T, method, path string, body any) armResp {
	t.Helper()
	u := path
	if !strings.HasPrefix(u, "https://") {
		u = e.url + path
		if !strings.Contains(path, "?") {
			u += "?api-version=2024-07-01"
		}
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if e.tok != "" {
		req.Header.Set("Authorization", "Bearer "+e.tok)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	st, m := decode(t, resp)
	return armResp{Status: st, Header: resp.Header, Body: m}
}

// poll follows an Azure-AsyncOperation URL until the operation ends and
// returns its final status document.
func (e *emu) poll(t *testing.T, opURL string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		r := e.do(t, http.MethodGet, opURL, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("operation: %d %v", r.Status, r.Body)
		}
		if r.Body["status"] != "InProgress" {
			return r.Body
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("operation %s never ended", opURL)
	return nil
}

func decode(t *testing.T, resp *http.Response) (int, map[string]any) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%d: not JSON: %s", resp.StatusCode, b)
		}
	}
	return resp.StatusCode, m
}

// errCode is the ARM error code of a body.
func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// rg is the path of the tests' resource group, res the path of a
// resource in it.
const rg = "/subscriptions/" + sub + "/resourceGroups/rg1"

func res(typ, name string) string { return rg + "/providers/" + typ + "/" + name }

// t0key is a host key for the tests' VMs (OpenSSH PEM).
var t0key = func() string {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	b, err := ssh.MarshalPrivateKey(priv, "t0")
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(b))
}()

// cloudConfigB64 is customData as the Azure gate writes it: a
// #cloud-config creating user skyport, with hostKey as the ed25519 host
// key.
func cloudConfigB64(hostKey string) string {
	var b strings.Builder
	b.WriteString("#cloud-config\nusers:\n  - name: \"skyport\"\n    shell: /bin/bash\n")
	b.WriteString("    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n    lock_passwd: true\n    ssh_authorized_keys:\n")
	b.WriteString("      - \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK5YcYNVPYXHq6p9u40D4c+VImF0LYmLCGD0wWrrJ3Uq gw\"\n")
	b.WriteString("ssh_pwauth: false\nssh_deletekeys: true\nssh_genkeytypes: []\nssh_keys:\n  ed25519_private: |\n")
	for _, l := range strings.Split(strings.TrimRight(hostKey, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	b.WriteString("  ed25519_public: \"ssh-ed25519 AAAA t0\"\n")
	return base64.StdEncoding.EncodeToString([]byte(b.String()))
}
