package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ReadRSS returns the process's resident set size (VmRSS in
// /proc/self/status) in bytes.
func ReadRSS() (uint64, error) { return readStatus("VmRSS:") }

// readStatus returns the size in bytes of the /proc/self/status field
// named (with its colon), such as "VmHWM:", the peak resident size.
func readStatus(name string) (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("bench: %s %q: %w", name, rest, err)
			}
			return kb << 10, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("bench: no %s in /proc/self/status", name)
}
