package azure

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// The example configuration parses and validates, with its values.
func TestExampleConfig(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if _, err := toml.DecodeFile("../../configs/azure.toml", &doc); err != nil {
		t.Fatal(err)
	}
	tab := doc["gates"].(map[string]any)["azure"].(map[string]any)
	delete(tab, "kind")
	o, err := parseOptions(tab)
	if err != nil {
		t.Fatal(err)
	}
	o, err = o.withDefaults("azure")
	if err != nil {
		t.Fatal(err)
	}
	cpu, gpu := o.pool("cpu"), o.pool("gpu")
	if cpu == nil || gpu == nil || cpu.IdleTimeout != 300*time.Second || cpu.Lease != 24*time.Hour || !cpu.Share ||
		len(cpu.Zones) != 3 || cpu.Budget != 50 || !gpu.Spot || gpu.MaxPrice != -1 || gpu.Containers != "docker" ||
		gpu.IdleTimeout != defaultIdleTimeout || gpu.Image != defaultImage {
		t.Errorf("pools = %+v / %+v", cpu, gpu)
	}
	if o.Credential.SecretEnv != "SKYPORT_AZURE_SECRET" || o.Sizes["Standard_HB120rs_v3"].CPUs != 120 ||
		o.Prices["westeurope"]["Standard_D4s_v5"] != 0.192 {
		t.Errorf("options = %+v", o)
	}
}

func TestOptionErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tab  map[string]any
		want string
	}{
		{map[string]any{"subscriptio": "x"}, `unknown option "subscriptio"`},
		{map[string]any{"credential": map[string]any{"client_secret": "hunter2"}}, "secret_env or secret_file"},
		{map[string]any{"pools": map[string]any{"p": map[string]any{"sizes": []any{"X"}, "idle": 3}}}, `unknown option "idle"`},
		{map[string]any{"max_retries": "x"}, "option max_retries"},
	} {
		_, err := parseOptions(tc.tab)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseOptions(%v) = %v, want %q", tc.tab, err, tc.want)
		}
	}
	o := testOptions()
	o.Pools[0].Sizes = []string{"Standard_Nope"}
	if _, err := o.withDefaults("g"); err == nil || !strings.Contains(err.Error(), "not in the catalog") {
		t.Errorf("unknown size: %v", err)
	}
	o = testOptions()
	o.Network.SSHSources = nil
	if _, err := o.withDefaults("g"); err == nil || !strings.Contains(err.Error(), "ssh_sources") {
		t.Errorf("public ip without sources: %v", err)
	}
}

// A secret file that others can read is refused; the secret is trimmed.
func TestReadSecret(t *testing.T) {
	t.Parallel()
	f := t.TempDir() + "/s"
	if err := os.WriteFile(f, []byte("s3cret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readSecret(CredentialOptions{SecretFile: f}); err == nil {
		t.Error("a 0644 secret file was accepted")
	}
	if err := os.Chmod(f, 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := readSecret(CredentialOptions{SecretFile: f}); err != nil || s != "s3cret" {
		t.Errorf("readSecret = %q, %v", s, err)
	}
}
