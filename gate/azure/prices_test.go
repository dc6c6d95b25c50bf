package azure

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The Retail Prices API's Linux prices replace the configured ones;
// Windows and Low Priority meters are ignored; a server that fails keeps
// the configured prices.
func TestRetailPricesRefresh(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Query().Get("$filter"), "armSkuName eq 'Standard_D4s_v5'") {
			http.Error(w, "bad filter", http.StatusBadRequest)
			return
		}
		item := `{"retailPrice":%v,"armRegionName":"westeurope","armSkuName":"Standard_D4s_v5","meterName":%q,"productName":%q,"unitOfMeasure":"1 Hour","type":"Consumption"}`
		fmt.Fprintf(w, `{"Items":[%s,%s,%s,%s],"NextPageLink":""}`,
			fmt.Sprintf(item, 0.21, "D4s v5", "Virtual Machines Dsv5 Series"),
			fmt.Sprintf(item, 0.04, "D4s v5 Spot", "Virtual Machines Dsv5 Series"),
			fmt.Sprintf(item, 0.40, "D4s v5", "Virtual Machines Dsv5 Series Windows"),
			fmt.Sprintf(item, 0.01, "D4s v5 Low Priority", "Virtual Machines Dsv5 Series"))
	}))
	defer srv.Close()
	o := testOptions()
	pt := newPriceTable(&o)
	if err := pt.refresh(t.Context(), srv.Client(), srv.URL, "USD", []string{"westeurope"}, []string{"Standard_D4s_v5"}, slog.Default()); err != nil {
		t.Fatal(err)
	}
	if p := pt.price("westeurope", "Standard_D4s_v5", false); p != 0.21 {
		t.Errorf("on-demand = %v, want 0.21", p)
	}
	if p := pt.price("westeurope", "Standard_D4s_v5", true); p != 0.04 {
		t.Errorf("spot = %v, want 0.04", p)
	}
	down := newPriceTable(&o)
	if err := down.refresh(t.Context(), srv.Client(), srv.URL+"/nope", "USD", []string{"westeurope"}, []string{"Standard_D8s_v5"}, slog.Default()); err == nil {
		t.Error("a failing server gave no error")
	}
	if p := down.price("westeurope", "Standard_D8s_v5", false); p != 0.4 {
		t.Errorf("configured price lost: %v", p)
	}
}

func TestCloudInit(t *testing.T) {
	t.Parallel()
	hk, err := newKeyPair("vm1")
	if err != nil {
		t.Fatal(err)
	}
	doc := cloudInit{User: "skyport", AuthorizedKey: "ssh-ed25519 AAAA gw", HostKey: hk,
		Packages: []string{"htop"}, Containers: "docker"}.render()
	for _, want := range []string{"#cloud-config\n", `- name: "skyport"`, `- "ssh-ed25519 AAAA gw"`,
		"ssh_deletekeys: true", "ssh_genkeytypes: []", "    -----BEGIN OPENSSH PRIVATE KEY-----",
		`ed25519_public: "` + hk.Public + `"`, `- "htop"`, `- "docker.io"`, "[usermod, -aG, docker,"} {
		if !strings.Contains(doc, want) {
			t.Errorf("cloud-config lacks %q:\n%s", want, doc)
		}
	}
}
