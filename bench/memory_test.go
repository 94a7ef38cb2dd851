package bench

import (
	"context"
	"testing"
)

// TestMeasureServiceMemory runs the running-service measurement on a few
// assets, with the service in this process.
func TestMeasureServiceMemory(t *testing.T) {
	r, err := MeasureServiceMemory(context.Background(), ServiceMemoryConfig{Assets: 300})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 6 || r.End.Entries < 300 || r.End.Estimate <= r.Start.Estimate {
		t.Errorf("report %+v", r)
	}
	if r.End.RSS == 0 || r.End.HWM < r.End.RSS || r.End.Live == 0 {
		t.Errorf("memory not read: %+v", r.End)
	}
}
