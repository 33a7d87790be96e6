// Reference proof-of-work solver for the benchmark: the Go CLI's algorithm (docs/compatibility.md#proof-of-work), with
// the standard library only, so `npm run bench` can measure it in the same run as our engines.
//
//	go-reference rate  <challengeData> <nonces>   hash nonces 0..n-1 (every hash gets its zero-bit check); print H/s
//	go-reference solve <challengeData>            print the first valid nonce
package main

import (
	"crypto/sha256"
	"fmt"
	"math/bits"
	"os"
	"strconv"
	"strings"
	"time"
)

func leadingZeroBits(h [32]byte) int {
	n := 0
	for _, b := range h {
		if b == 0 {
			n += 8
			continue
		}
		return n + bits.LeadingZeros8(b)
	}
	return n
}

func difficulty(cd string) int {
	parts := strings.Split(cd, ":")
	d, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad challenge:", err)
		os.Exit(2)
	}
	return d
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: go-reference rate <challengeData> <nonces> | solve <challengeData>")
		os.Exit(2)
	}
	cd := os.Args[2]
	d := difficulty(cd)
	switch os.Args[1] {
	case "rate":
		n, _ := strconv.ParseUint(os.Args[3], 10, 64)
		hits := 0
		start := time.Now()
		for nonce := uint64(0); nonce < n; nonce++ {
			if leadingZeroBits(sha256.Sum256([]byte(cd+":"+strconv.FormatUint(nonce, 10)))) >= d {
				hits++
			}
		}
		fmt.Printf("%.0f %d\n", float64(n)/time.Since(start).Seconds(), hits)
	case "solve":
		for nonce := uint64(0); ; nonce++ {
			if leadingZeroBits(sha256.Sum256([]byte(cd+":"+strconv.FormatUint(nonce, 10)))) >= d {
				fmt.Println(nonce)
				return
			}
		}
	}
}
