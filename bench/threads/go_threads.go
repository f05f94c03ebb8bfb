// go_threads.go: the Go peer of bench/threads (goroutines, Go 1.19 as
// Debian ships it), all four cases, with GOMAXPROCS=1 so that goroutines
// are user-level threads on one OS thread like linkstack's.
//
//	go_threads mem|steady|yield|condpp [N [REPS]]
//
// Prints the same lines as the C programs (see common.h):
//
//	case=<c> system=go value=<v> unit=<u> n=<count> key=value ...
//
// mem: N goroutines each signal a WaitGroup and block receiving from a
// channel that main closes once VmHWM is read (the idiomatic gate).
// steady: go f(); f sends on an unbuffered channel that main receives
// from (Go has no join; this is the usual stand-in).  yield: two
// goroutines call runtime.Gosched N times each.  condpp: two goroutines
// hand a token through two unbuffered channels (Go's nearest thing to a
// condition-variable ping-pong).
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const sys = "go"

type snap struct {
	wall, utime, stime int64
	faults             int64
}

var epoch = time.Now()

func takeSnap() snap {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return snap{
		utime:  ru.Utime.Nano(),
		stime:  ru.Stime.Nano(),
		faults: ru.Minflt + ru.Majflt,
		wall:   int64(time.Since(epoch)), // monotonic
	}
}

func rssKiB() (rss, hwm int64) {
	rss, hwm = -1, -1
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		field := func() int64 {
			v, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return v
		}
		if strings.HasPrefix(line, "VmRSS:") {
			rss = field()
		} else if strings.HasPrefix(line, "VmHWM:") {
			hwm = field()
		}
	}
	return
}

func result(cas string, value float64, unit string, n int64, a, b *snap, extra string) {
	s := fmt.Sprintf("case=%s system=%s value=%.6g unit=%s n=%d", cas, sys, value, unit, n)
	if a != nil && b != nil {
		s += fmt.Sprintf(" wall_ns=%d utime_ns=%d stime_ns=%d faults=%d",
			b.wall-a.wall, b.utime-a.utime, b.stime-a.stime, b.faults-a.faults)
	}
	if extra != "" {
		s += " " + extra
	}
	fmt.Println(s)
}

func runMem(n int64) {
	var started, finished sync.WaitGroup
	gate := make(chan struct{})
	runtime.GC()
	rss0, hwm0 := rssKiB()
	a := takeSnap()
	started.Add(int(n))
	finished.Add(int(n))
	for i := int64(0); i < n; i++ {
		go func() {
			started.Done()
			<-gate
			finished.Done()
		}()
	}
	started.Wait()
	b := takeSnap()
	_, hwm1 := rssKiB()
	close(gate)
	finished.Wait()
	c := takeSnap()
	extra := fmt.Sprintf("rss0_kib=%d hwm0_kib=%d hwm1_kib=%d stack_bytes=2048", rss0, hwm0, hwm1)
	result("mem", float64(hwm1-hwm0)*1024/float64(n), "B/thread", n, &a, &b, extra)
	result("cold", float64(b.wall-a.wall)/float64(n), "ns/thread", n, &a, &b, "")
	result("teardown", float64(c.wall-b.wall)/float64(n), "ns/thread", n, &b, &c, "")
}

func steadyLoop(n int64) {
	done := make(chan int64)
	for i := int64(0); i < n; i++ {
		go func(v int64) { done <- v }(i)
		if r := <-done; r != i {
			panic("wrong result")
		}
	}
}

func runSteady(n int64, reps int) {
	steadyLoop(n/10 + 1)
	for k := 0; k < reps; k++ {
		a := takeSnap()
		steadyLoop(n)
		b := takeSnap()
		result("steady", float64(b.wall-a.wall)/float64(n), "ns/thread", n, &a, &b, "")
	}
}

func yieldPair(n int64) {
	var wg sync.WaitGroup
	wg.Add(2)
	for j := 0; j < 2; j++ {
		go func() {
			for i := int64(0); i < n; i++ {
				runtime.Gosched()
			}
			wg.Done()
		}()
	}
	wg.Wait()
}

func chanPair(n int64) {
	var wg sync.WaitGroup
	c := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
	wg.Add(2)
	go func() { // starts with the token
		for i := int64(0); i < n; i++ {
			c[1] <- struct{}{}
			if i+1 < n {
				<-c[0]
			}
		}
		wg.Done()
	}()
	go func() {
		for i := int64(0); i < n; i++ {
			<-c[1]
			if i+1 < n {
				c[0] <- struct{}{}
			}
		}
		wg.Done()
	}()
	wg.Wait()
}

func runPair(cas string, f func(int64), n int64, reps int) {
	unit := "ns/switch"
	if cas == "condpp" {
		unit = "ns/handoff"
	}
	for k := -1; k < reps; k++ {
		m := n
		if k < 0 {
			m = n/10 + 1
		}
		a := takeSnap()
		f(m)
		b := takeSnap()
		if k >= 0 {
			result(cas, float64(b.wall-a.wall)/(2*float64(m)), unit, m, &a, &b, "")
		}
	}
}

func main() {
	runtime.GOMAXPROCS(1)
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go_threads mem|steady|yield|condpp [N [REPS]]")
		os.Exit(2)
	}
	n, reps := int64(1000000), 5
	if len(os.Args) > 2 {
		n, _ = strconv.ParseInt(os.Args[2], 10, 64)
	}
	if len(os.Args) > 3 {
		reps, _ = strconv.Atoi(os.Args[3])
	}
	if n <= 0 || reps <= 0 {
		fmt.Fprintln(os.Stderr, "go_threads: N and REPS must be positive")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "mem":
		runMem(n)
	case "steady":
		runSteady(n, reps)
	case "yield":
		runPair("yield", yieldPair, n, reps)
	case "condpp":
		runPair("condpp", chanPair, n, reps)
	default:
		fmt.Fprintln(os.Stderr, "go_threads: unknown case", os.Args[1])
		os.Exit(2)
	}
}
