package keylock

import (
	"sync"
	"testing"
)

func TestLock(t *testing.T) {
	t.Parallel()
	var m Map
	var wg sync.WaitGroup
	var counts [2]int // counts[k] is guarded by the lock of key k only: -race sees a shared one
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := i % 2
			unlock := m.Lock([]string{"a", "b"}[k])
			counts[k]++
			unlock()
		}()
	}
	wg.Wait()
	if counts[0] != 100 || counts[1] != 100 {
		t.Errorf("counts %v, want 100 each", counts)
	}
	if len(m.locks) != 0 {
		t.Errorf("%d locks left, want none", len(m.locks))
	}
}
