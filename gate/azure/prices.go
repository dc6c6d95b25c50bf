package azure

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// priceTable holds the price per hour of each size in each region,
// on-demand and spot: the configured prices, overwritten by what the
// Azure Retail Prices API says when it can be reached. Safe for
// concurrent use.
type priceTable struct {
	mu       sync.RWMutex
	onDemand map[string]map[string]float64 // region -> size -> price
	spot     map[string]map[string]float64
}

func newPriceTable(o *Options) *priceTable {
	t := &priceTable{onDemand: map[string]map[string]float64{}, spot: map[string]map[string]float64{}}
	for r, m := range o.Prices {
		for s, p := range m {
			t.set(r, s, false, p)
		}
	}
	for r, m := range o.SpotPrices {
		for s, p := range m {
			t.set(r, s, true, p)
		}
	}
	return t
}

func (t *priceTable) set(region, size string, spot bool, price float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.onDemand
	if spot {
		m = t.spot
	}
	if m[region] == nil {
		m[region] = map[string]float64{}
	}
	m[region][size] = price
}

// price is the price per hour of size in region; a spot size without a
// spot price costs its on-demand price (the most a spot VM with max price
// -1 is billed). Unknown prices are 0.
func (t *priceTable) price(region, size string, spot bool) float64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if spot {
		if p, ok := t.spot[region][size]; ok {
			return p
		}
	}
	return t.onDemand[region][size]
}

// retailItem is one price of the Retail Prices API.
type retailItem struct {
	RetailPrice   float64 `json:"retailPrice"`
	ArmRegionName string  `json:"armRegionName"`
	ArmSkuName    string  `json:"armSkuName"`
	MeterName     string  `json:"meterName"`
	ProductName   string  `json:"productName"`
	UnitOfMeasure string  `json:"unitOfMeasure"`
	Type          string  `json:"type"`
}

type retailPage struct {
	Items        []retailItem `json:"Items"`
	NextPageLink string       `json:"NextPageLink"`
}

// refresh asks the Retail Prices API at base for the Linux consumption
// prices of each size in each region and stores them. It stops at the
// first failure, keeping what it had (the configured prices).
func (t *priceTable) refresh(ctx context.Context, hc *http.Client, base, currency string, regions, sizes []string, log *slog.Logger) error {
	for _, r := range regions {
		for _, s := range sizes {
			filter := fmt.Sprintf("serviceName eq 'Virtual Machines' and armRegionName eq '%s' and armSkuName eq '%s' and priceType eq 'Consumption'", r, s)
			next := base + "?currencyCode=" + url.QueryEscape("'"+currency+"'") + "&$filter=" + url.QueryEscape(filter)
			for pages := 0; next != "" && pages < 10; pages++ {
				page, err := getRetailPage(ctx, hc, next)
				if err != nil {
					return fmt.Errorf("azure: retail prices: %w", err)
				}
				for _, it := range page.Items {
					if it.ArmRegionName != r || it.ArmSkuName != s || it.UnitOfMeasure != "1 Hour" ||
						strings.Contains(it.ProductName, "Windows") || strings.Contains(it.MeterName, "Low Priority") {
						continue
					}
					t.set(r, s, strings.Contains(it.MeterName, "Spot"), it.RetailPrice)
				}
				next = page.NextPageLink
			}
		}
	}
	log.Debug("retail prices refreshed", "regions", len(regions), "sizes", len(sizes))
	return nil
}

func getRetailPage(ctx context.Context, hc *http.Client, u string) (retailPage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return retailPage{}, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return retailPage{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return retailPage{}, fmt.Errorf("%s", resp.Status)
	}
	var p retailPage
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return retailPage{}, err
	}
	return p, nil
}
