package azure

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"skyport/gate/internal/atomicfile"

	"golang.org/x/crypto/ssh"
)

// keyPair is an ed25519 key pair in OpenSSH formats, kept as two files:
// the private key (mode 0600) and "<file>.pub" (authorized_keys format).
type keyPair struct {
	Path    string // the private key's file
	Private []byte // PEM "OPENSSH PRIVATE KEY"
	Public  string // "ssh-ed25519 AAAA... comment", without a newline
}

// loadOrCreateKey returns the key pair at path, creating it (and its
// directory, mode 0700) when it does not exist. A key file readable by
// others is refused.
func loadOrCreateKey(path, comment string) (keyPair, error) {
	kp, err := loadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return kp, err
	}
	kp, err = newKeyPair(comment)
	if err != nil {
		return keyPair{}, err
	}
	kp.Path = path
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return keyPair{}, fmt.Errorf("azure: key directory: %w", err)
	}
	if err := writeFileAtomic(path+".pub", []byte(kp.Public+"\n"), 0o644); err != nil {
		return keyPair{}, err
	}
	if err := writeFileAtomic(path, kp.Private, 0o600); err != nil {
		return keyPair{}, err
	}
	return kp, nil
}

// loadKey reads the key pair at path.
func loadKey(path string) (keyPair, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return keyPair{}, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return keyPair{}, fmt.Errorf("azure: key %s: mode %v lets others read it", path, fi.Mode().Perm())
	}
	priv, err := os.ReadFile(path)
	if err != nil {
		return keyPair{}, fmt.Errorf("azure: key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(priv)
	if err != nil {
		return keyPair{}, fmt.Errorf("azure: key %s: %w", path, err)
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		// The public half is derived; a missing .pub loses only the comment.
		pub = ssh.MarshalAuthorizedKey(signer.PublicKey())
	}
	return keyPair{Path: path, Private: priv, Public: strings.TrimSpace(string(pub))}, nil
}

// newKeyPair generates an ed25519 key pair.
func newKeyPair(comment string) (keyPair, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return keyPair{}, fmt.Errorf("azure: generate key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		return keyPair{}, fmt.Errorf("azure: marshal key: %w", err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		return keyPair{}, fmt.Errorf("azure: public key: %w", err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
	if comment != "" {
		line += " " + comment
	}
	return keyPair{Private: pem.EncodeToMemory(block), Public: line}, nil
}

// writeFileAtomic replaces path with data durably: a reader, or the gate
// after a crash, sees the old content or the new (atomicfile.WriteFile).
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := atomicfile.WriteFile(filepath.Dir(path), filepath.Base(path), data, perm, true); err != nil {
		return fmt.Errorf("azure: write %s: %w", path, err)
	}
	return nil
}
