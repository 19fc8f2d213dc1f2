package main

import (
	"math"
	"strings"
	"testing"
)

func TestTargetVerdict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		target     target
		ratios     []float64
		allocRatio float64
		want       verdict
		text       string
	}{
		{"clear hold", target{1.10, 1.2}, []float64{1.01, 1.02, 1.03}, 1.05, holds, ": holds"},
		{"miss by less than the scatter", target{1.10, 1.2}, []float64{1.00, 1.12, 1.14}, 1.05, withinNoise, "within noise (1.12x ± 0.12"},
		{"clear miss", target{1.10, 1.2}, []float64{1.30, 1.31, 1.32}, 1.05, missed, ": MISSED"},
		{"allocations are never noise", target{1.10, 1.2}, []float64{1.00, 1.01, 1.02}, 1.30, missed, ": MISSED"},
		{"no allocation target", target{1.00, math.NaN()}, []float64{0.90}, 5, holds, "time ≤ 1.00x: holds"},
		{"one round: no scatter", target{1.00, math.NaN()}, []float64{1.01}, 1, missed, ": MISSED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			text, v := targetVerdict(tt.target, tt.ratios, tt.allocRatio)
			if v != tt.want || !strings.Contains(text, tt.text) {
				t.Errorf("targetVerdict = %q, %d; want %d and text containing %q", text, v, tt.want, tt.text)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	if got := summary(nil, nil); got != "Every SDK target holds." {
		t.Errorf("summary(nil, nil) = %q", got)
	}
	got := summary([]string{"snap1/sdk"}, []string{"small/sdk"})
	if !strings.Contains(got, "Within noise") || !strings.Contains(got, "small/sdk") || !strings.Contains(got, "Targets missed: snap1/sdk.") {
		t.Errorf("summary = %q", got)
	}
	if got := summary(nil, []string{"small/sdk"}); strings.Contains(got, "Targets missed") {
		t.Errorf("a noisy verdict alone must not say missed: %q", got)
	}
}
