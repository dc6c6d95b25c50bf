package ssh

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	xssh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// errHostKey marks a refused host key; such a host is not retried sooner
// than any other, but its node's reason says so.
var errHostKey = errors.New("host key refused")

// parsePinnedKey parses a host key in authorized_keys format
// ("ssh-ed25519 AAAA... comment").
func parsePinnedKey(s string) (xssh.PublicKey, error) {
	k, _, _, _, err := xssh.ParseAuthorizedKey([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("want a key in authorized_keys format: %w", err)
	}
	return k, nil
}

// hostKeyCheck returns the callback that verifies h's host key and the key
// algorithms to ask the server for (those the check can accept, so that a
// server with several keys shows the one that is known). It never accepts
// an unknown key.
func hostKeyCheck(h Host) (xssh.HostKeyCallback, []string, error) {
	if h.HostKey != "" {
		want, err := parsePinnedKey(h.HostKey)
		if err != nil {
			return nil, nil, err
		}
		cb := func(_ string, _ net.Addr, got xssh.PublicKey) error {
			if bytes.Equal(got.Marshal(), want.Marshal()) {
				return nil
			}
			return fmt.Errorf("%w: host %s offered %s key %s, but the pinned host_key is %s %s; "+
				"if the host was reinstalled, update host_key", errHostKey, h.Name,
				got.Type(), xssh.FingerprintSHA256(got), want.Type(), xssh.FingerprintSHA256(want))
		}
		return cb, algorithmsFor(want.Type()), nil
	}
	files := h.KnownHosts
	if len(files) == 0 {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, nil, fmt.Errorf("no known_hosts and no host_key, and no home directory: %w", err)
		}
		files = []string{filepath.Join(home, ".ssh", "known_hosts")}
	}
	db, err := knownhosts.New(files...)
	if err != nil {
		return nil, nil, fmt.Errorf("known_hosts: %w", err)
	}
	known := strings.Join(files, ", ")
	cb := func(hostname string, remote net.Addr, got xssh.PublicKey) error {
		err := db(hostname, remote, got)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &re):
			return fmt.Errorf("%w: host %s offered a revoked key %s (%s)", errHostKey, h.Name,
				xssh.FingerprintSHA256(got), known)
		case errors.As(err, &ke) && len(ke.Want) == 0:
			return fmt.Errorf("%w: host %s (%s) is unknown: no key for it in %s; "+
				"add its key (%s %s) there or pin it with host_key", errHostKey, h.Name, hostname, known,
				got.Type(), xssh.FingerprintSHA256(got))
		case errors.As(err, &ke):
			return fmt.Errorf("%w: host key of %s (%s) has CHANGED: it offered %s %s, but %s line %d "+
				"has %s; refusing to connect (possible man-in-the-middle); if the host was reinstalled, "+
				"fix %s", errHostKey, h.Name, hostname, got.Type(), xssh.FingerprintSHA256(got),
				ke.Want[0].Filename, ke.Want[0].Line, xssh.FingerprintSHA256(ke.Want[0].Key), known)
		}
		return fmt.Errorf("%w: %w", errHostKey, err)
	}
	return cb, knownAlgorithms(db, h.Address), nil
}

// knownAlgorithms lists the key algorithms known_hosts holds for addr,
// found by asking the database about a key it cannot know. Nil lets the
// server choose.
func knownAlgorithms(db xssh.HostKeyCallback, addr string) []string {
	probe := probeKey{}
	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		tcp = &net.TCPAddr{}
	}
	var ke *knownhosts.KeyError
	if !errors.As(db(knownhosts.Normalize(addr), tcp, probe), &ke) {
		return nil
	}
	var algs []string
	seen := map[string]bool{}
	for _, k := range ke.Want {
		for _, a := range algorithmsFor(k.Key.Type()) {
			if !seen[a] {
				seen[a] = true
				algs = append(algs, a)
			}
		}
	}
	return algs
}

// algorithmsFor returns the signature algorithms that prove a key of type t.
func algorithmsFor(t string) []string {
	if t == xssh.KeyAlgoRSA {
		return []string{xssh.KeyAlgoRSASHA512, xssh.KeyAlgoRSASHA256, xssh.KeyAlgoRSA}
	}
	return []string{t}
}

// probeKey is a public key no known_hosts file holds.
type probeKey struct{}

func (probeKey) Type() string                         { return "skyport-probe" }
func (probeKey) Marshal() []byte                      { return []byte("skyport-probe") }
func (probeKey) Verify([]byte, *xssh.Signature) error { return errors.New("probe key") }

// authMethods returns how to log in to h: its key file, else ssh-agent.
func authMethods(h Host) ([]xssh.AuthMethod, func(), error) {
	if h.KeyFile != "" {
		b, err := os.ReadFile(h.KeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("key file: %w", err)
		}
		signer, err := xssh.ParsePrivateKey(b)
		var missing *xssh.PassphraseMissingError
		if errors.As(err, &missing) {
			return nil, nil, fmt.Errorf("key file %s is encrypted: load it into ssh-agent and leave key_file out", h.KeyFile)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("key file %s: %w", h.KeyFile, err)
		}
		return []xssh.AuthMethod{xssh.PublicKeys(signer)}, func() {}, nil
	}
	sock := os.Getenv("SSH_AUTH_SOCK")
	if sock == "" {
		return nil, nil, errors.New("no key_file and no ssh-agent (SSH_AUTH_SOCK is not set)")
	}
	c, err := net.Dial("unix", sock) //nolint:gosec // SSH_AUTH_SOCK names the user's own agent
	if err != nil {
		return nil, nil, fmt.Errorf("ssh-agent: %w", err)
	}
	ag := agent.NewClient(c)
	return []xssh.AuthMethod{xssh.PublicKeysCallback(ag.Signers)}, func() { _ = c.Close() }, nil
}
