package armemu

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// cloudConfig is what the emulator applies of a VM's cloud-init user data.
type cloudConfig struct {
	// User is the first user the document creates ("" when none).
	User string
	// AuthorizedKeys are that user's ssh_authorized_keys.
	AuthorizedKeys []string
	// HostKey and HostKeyPublic are ssh_keys' ed25519_private and
	// ed25519_public: the host key sshd is to use.
	HostKey       []byte
	HostKeyPublic string
	// Packages are listed but not installed: the guest runs this
	// machine's programs.
	Packages []string
}

// parseCustomData decodes a VM's osProfile.customData (base64) and reads
// it when it is a #cloud-config document; other user data (a script, a
// MIME archive) yields an empty config.
func parseCustomData(data string) (cloudConfig, error) {
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return cloudConfig{}, fmt.Errorf("customData is not base64: %w", err)
	}
	doc := string(raw)
	if !strings.HasPrefix(doc, "#cloud-config") {
		return cloudConfig{}, nil
	}
	v, err := parseYAML(doc)
	if err != nil {
		return cloudConfig{}, err
	}
	top, ok := v.(map[string]any)
	if !ok {
		return cloudConfig{}, errors.New("#cloud-config is not a mapping")
	}
	var c cloudConfig
	for _, u := range asList(top["users"]) {
		m, ok := u.(map[string]any)
		if !ok {
			continue // "default": the image's user, which the emulator has not
		}
		c.User = asString(m["name"])
		c.AuthorizedKeys = keyLines(m["ssh_authorized_keys"])
		break
	}
	// Top-level keys are the default user's; the emulator gives them to
	// the created user as well.
	c.AuthorizedKeys = append(c.AuthorizedKeys, keyLines(top["ssh_authorized_keys"])...)
	if keys, ok := top["ssh_keys"].(map[string]any); ok {
		if p := asString(keys["ed25519_private"]); p != "" {
			c.HostKey = []byte(p)
		}
		c.HostKeyPublic = asString(keys["ed25519_public"])
	}
	for _, p := range asList(top["packages"]) {
		if s := asString(p); s != "" {
			c.Packages = append(c.Packages, s)
		}
	}
	return c, nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// keyLines returns the non-empty strings of a key list.
func keyLines(v any) []string {
	var out []string
	for _, k := range asList(v) {
		if s := strings.TrimSpace(asString(k)); s != "" {
			out = append(out, s)
		}
	}
	return out
}
