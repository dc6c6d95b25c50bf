package azure

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// cloudInit is what a VM's cloud-init customData sets up.
type cloudInit struct {
	User          string   // the login, created with passwordless sudo
	AuthorizedKey string   // the gateway's login public key
	HostKey       keyPair  // the VM's ed25519 host key, pinned by the gateway
	Packages      []string // extra packages
	Containers    string   // "none", "docker" or "podman"
}

// readyFile exists on a VM once cloud-init has finished (cloud-init
// writes it at the end of its final stage).
const readyFile = "/var/lib/cloud/instance/boot-finished"

// render returns the #cloud-config document. The host key replaces every
// key the image would generate (ssh_deletekeys, no ssh_genkeytypes), so
// the first connection already meets the pinned key.
func (c cloudInit) render() string {
	var b strings.Builder
	b.WriteString("#cloud-config\n")
	b.WriteString("users:\n")
	fmt.Fprintf(&b, "  - name: %s\n", yamlQuote(c.User))
	b.WriteString("    shell: /bin/bash\n")
	b.WriteString("    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n")
	b.WriteString("    lock_passwd: true\n")
	b.WriteString("    ssh_authorized_keys:\n")
	fmt.Fprintf(&b, "      - %s\n", yamlQuote(c.AuthorizedKey))
	b.WriteString("ssh_pwauth: false\n")
	b.WriteString("ssh_deletekeys: true\n")
	b.WriteString("ssh_genkeytypes: []\n")
	b.WriteString("ssh_keys:\n")
	b.WriteString("  ed25519_private: |\n")
	for _, line := range strings.Split(strings.TrimRight(string(c.HostKey.Private), "\n"), "\n") {
		b.WriteString("    " + line + "\n")
	}
	fmt.Fprintf(&b, "  ed25519_public: %s\n", yamlQuote(c.HostKey.Public))
	pkgs := append([]string(nil), c.Packages...)
	switch c.Containers {
	case "docker":
		pkgs = append(pkgs, "docker.io")
	case "podman":
		pkgs = append(pkgs, "podman")
	}
	if len(pkgs) > 0 {
		b.WriteString("package_update: true\n")
		b.WriteString("packages:\n")
		for _, p := range pkgs {
			fmt.Fprintf(&b, "  - %s\n", yamlQuote(p))
		}
	}
	if c.Containers == "docker" {
		b.WriteString("runcmd:\n")
		fmt.Fprintf(&b, "  - [usermod, -aG, docker, %s]\n", yamlQuote(c.User))
		b.WriteString("  - [systemctl, enable, --now, docker]\n")
	}
	return b.String()
}

// customData is the document as the VM API takes it: base64.
func (c cloudInit) customData() string {
	return base64.StdEncoding.EncodeToString([]byte(c.render()))
}

// yamlQuote writes s as a double-quoted YAML scalar.
func yamlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
