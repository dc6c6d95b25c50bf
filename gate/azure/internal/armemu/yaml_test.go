package armemu

import (
	"encoding/base64"
	"reflect"
	"testing"
)

// The document is written the way gate/azure's cloudinit.go renders one
// (with packages and a docker runcmd), plus a few YAML forms.
const sampleCloudConfig = `#cloud-config
users:
  - name: "sky\"port"
    shell: /bin/bash
    sudo: "ALL=(ALL) NOPASSWD:ALL"
    lock_passwd: true
    ssh_authorized_keys:
      - "ssh-ed25519 AAAAkey1 gateway"
      - ssh-rsa AAAAkey2 other   # a comment
ssh_pwauth: false
ssh_genkeytypes: []
ssh_keys:
  ed25519_private: |
    -----BEGIN OPENSSH PRIVATE KEY-----
    b3BlbnNzaC1rZXktdjEAAAAA
    -----END OPENSSH PRIVATE KEY-----
  ed25519_public: "ssh-ed25519 AAAAhost vm1"
package_update: true
packages:
  - "build-essential"
  - git
runcmd:
  - [usermod, -aG, docker, "skyport"]
  - [systemctl, enable, --now, docker]
`

func TestParseCustomData(t *testing.T) {
	t.Parallel()
	c, err := parseCustomData(base64.StdEncoding.EncodeToString([]byte(sampleCloudConfig)))
	if err != nil {
		t.Fatal(err)
	}
	want := cloudConfig{
		User:           `sky"port`,
		AuthorizedKeys: []string{"ssh-ed25519 AAAAkey1 gateway", "ssh-rsa AAAAkey2 other"},
		HostKey:        []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"),
		HostKeyPublic:  "ssh-ed25519 AAAAhost vm1",
		Packages:       []string{"build-essential", "git"},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	if _, err := parseCustomData("not base64!"); err == nil {
		t.Error("bad base64 accepted")
	}
	if c, err := parseCustomData(base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hi\n"))); err != nil || c.User != "" {
		t.Errorf("a script: %+v %v", c, err)
	}
}

func TestParseYAML(t *testing.T) {
	t.Parallel()
	v, err := parseYAML(sampleCloudConfig)
	if err != nil {
		t.Fatal(err)
	}
	top := v.(map[string]any)
	if top["ssh_pwauth"] != false || top["package_update"] != true {
		t.Errorf("booleans: %v %v", top["ssh_pwauth"], top["package_update"])
	}
	if g := top["ssh_genkeytypes"].([]any); len(g) != 0 {
		t.Errorf("empty flow sequence: %v", g)
	}
	run := top["runcmd"].([]any)
	if !reflect.DeepEqual(run[0], []any{"usermod", "-aG", "docker", "skyport"}) || len(run) != 2 {
		t.Errorf("runcmd: %#v", run)
	}
	for _, bad := range []string{"a: 1\n   b: 2\n", "a: \"open\n", "- a\nb: 1\n  c: 2\n"} {
		if _, err := parseYAML(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}
