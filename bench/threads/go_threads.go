// go_threads.go: the Go peer of bench/threads (goroutines, Go 1.19 as
// Debian ships it), all four cases, with GOMAXPROCS=1 so that goroutines
// are user-level threads on one OS thread like linkstack's.
//
//	go_threads mem|steady|yield|condpp|chanpp [N [REPS]]
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
// hand a token through a sync.Mutex and two sync.Conds, as the C programs
// do; chanpp: the same through two unbuffered channels (Go's idiom; for
// information only).
//
// depth KIND FRAME DEPTH N (as bench/threads/depth.c for the C systems):
// N goroutines recurse through frames of about 120 bytes (FRAME small) or
// 1 KiB (large) until DEPTH bytes of frames are live, then block in the
// innermost frame: KIND yield loops on runtime.Gosched(), sockread reads
// one byte from its own socket (a socketpair end turned into a net.Conn:
// the netpoller parks the goroutine).  Prints StackInuse per goroutine
// (value) and RSS per goroutine (rss_per), with the frame size measured
// here (the distance between the locals of two nested calls).
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
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

// condPair: the same hand-off as the C programs' condpp: a mutex, two
// condition variables (sync.Cond) and a turn.
func condPair(n int64) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	c := [2]*sync.Cond{sync.NewCond(&mu), sync.NewCond(&mu)}
	turn := 0
	wg.Add(2)
	for me := 0; me < 2; me++ {
		go func(me int) {
			for i := int64(0); i < n; i++ {
				mu.Lock()
				for turn != me {
					c[me].Wait()
				}
				turn = 1 - me
				c[1-me].Signal()
				mu.Unlock()
			}
			wg.Done()
		}(me)
	}
	wg.Wait()
}

func runPair(cas string, f func(int64), n int64, reps int) {
	unit := "ns/switch"
	if cas != "yield" {
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

// --- depth ---------------------------------------------------------------

const (
	kProbe = iota
	kYield
	kSockread
)

var (
	dKind           int
	dArrived, dStop int32
	dConns          []net.Conn
	dBufs           [][1]byte
	dProbe          [3]uintptr
	dLarge, dLevels int
)

// block parks the goroutine as dKind says; returns what it read (or 1).
func block(i int) int {
	switch dKind {
	case kYield:
		atomic.AddInt32(&dArrived, 1)
		for atomic.LoadInt32(&dStop) == 0 {
			runtime.Gosched()
		}
		return 1
	case kSockread:
		atomic.AddInt32(&dArrived, 1)
		if n, err := dConns[i].Read(dBufs[i][:]); n != 1 || err != nil {
			return -1
		}
		return int(dBufs[i][0])
	}
	return 0
}

//go:noinline
func diveSmall(level, i int) int {
	var pad [80]byte
	pad[level%len(pad)] = byte(level)
	if dKind == kProbe && level <= 2 {
		dProbe[level] = uintptr(unsafe.Pointer(&pad[0]))
	}
	var r int
	if level > 1 {
		r = diveSmall(level-1, i)
	} else {
		r = block(i)
	}
	return r + int(pad[level%len(pad)])
}

//go:noinline
func diveLarge(level, i int) int {
	var pad [960]byte
	pad[level%len(pad)] = byte(level)
	if dKind == kProbe && level <= 2 {
		dProbe[level] = uintptr(unsafe.Pointer(&pad[0]))
	}
	var r int
	if level > 1 {
		r = diveLarge(level-1, i)
	} else {
		r = block(i)
	}
	return r + int(pad[level%len(pad)])
}

func dive(level, i int) int {
	if dLarge != 0 {
		return diveLarge(level, i)
	}
	return diveSmall(level, i)
}

func runDepth(args []string) {
	if len(args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: go_threads depth yield|sockread small|large DEPTH N")
		os.Exit(2)
	}
	kind, frameName := args[0], args[1]
	want, _ := strconv.Atoi(args[2])
	n, _ := strconv.Atoi(args[3])
	switch kind {
	case "yield":
		dKind = kYield
	case "sockread":
		dKind = kSockread
	default:
		fmt.Fprintln(os.Stderr, "go_threads: depth: unknown kind", kind)
		os.Exit(2)
	}
	if frameName == "large" {
		dLarge = 1
	} else if frameName != "small" || want <= 0 || n <= 0 {
		fmt.Fprintln(os.Stderr, "go_threads: depth: bad arguments")
		os.Exit(2)
	}
	k := dKind
	dKind = kProbe
	dive(2, 0)
	dKind = k
	frame := int(dProbe[2] - dProbe[1])
	if frame <= 0 || frame > 4096 {
		fmt.Fprintln(os.Stderr, "go_threads: depth: frame size nonsense:", frame)
		os.Exit(1)
	}
	dLevels = (want + frame/2) / frame
	if dLevels < 1 {
		dLevels = 1
	}
	var peers []int
	if dKind == kSockread {
		dConns = make([]net.Conn, n)
		dBufs = make([][1]byte, n)
		peers = make([]int, n)
		for i := 0; i < n; i++ {
			fd, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
			if err != nil {
				fmt.Fprintln(os.Stderr, "go_threads: socketpair:", err)
				os.Exit(1)
			}
			f := os.NewFile(uintptr(fd[1]), "sock")
			c, err := net.FileConn(f)
			if err != nil {
				fmt.Fprintln(os.Stderr, "go_threads: FileConn:", err)
				os.Exit(1)
			}
			f.Close()
			dConns[i], peers[i] = c, fd[0]
		}
	}
	results := make([]int, n)
	var wg sync.WaitGroup
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	rss0, _ := rssKiB()
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			results[i] = dive(dLevels, i)
			wg.Done()
		}(i)
	}
	for int(atomic.LoadInt32(&dArrived)) < n {
		runtime.Gosched()
	}
	runtime.Gosched() // the last arrived is in its blocking call too
	rss1, _ := rssKiB()
	runtime.ReadMemStats(&m1)
	atomic.StoreInt32(&dStop, 1)
	for _, fd := range peers {
		if w, err := syscall.Write(fd, []byte{1}); w != 1 || err != nil {
			fmt.Fprintln(os.Stderr, "go_threads: write:", err)
			os.Exit(1)
		}
	}
	wg.Wait()
	want_r := 1
	for l := 1; l <= dLevels; l++ {
		want_r += l & 0xff
	}
	for i, r := range results {
		if r != want_r {
			fmt.Fprintf(os.Stderr, "go_threads: goroutine %d returned %d, expected %d\n", i, r, want_r)
			os.Exit(1)
		}
	}
	fmt.Printf("case=depth system=go kind=%s frame=%s want=%d frame_bytes=%d levels=%d depth=%d "+
		"value=%.1f unit=B/thread rss_per=%.1f n=%d\n", kind, frameName, want, frame, dLevels,
		frame*dLevels, float64(int64(m1.StackInuse)-int64(m0.StackInuse))/float64(n),
		float64(rss1-rss0)*1024/float64(n), n)
}

func main() {
	runtime.GOMAXPROCS(1)
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go_threads mem|steady|yield|condpp|chanpp [N [REPS]]")
		os.Exit(2)
	}
	if os.Args[1] == "depth" {
		runDepth(os.Args[2:])
		return
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
		runPair("condpp", condPair, n, reps)
	case "chanpp":
		runPair("chanpp", chanPair, n, reps)
	default:
		fmt.Fprintln(os.Stderr, "go_threads: unknown case", os.Args[1])
		os.Exit(2)
	}
}
