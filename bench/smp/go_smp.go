// go_smp.go: the Go peer of bench/smp/smp.c (the same three shapes, with
// goroutines; GOMAXPROCS from the environment, as bench/smp/run sets it).
//
//	go_smp skynet|ring|chanpp [ROUNDS]
//
// skynet: 1,000,000 leaves in a tree of 10, each node summing its
// children's ids from a channel (the usual skynet).  ring: 1,000
// goroutines, 100 tokens each passed on 10,000 times through a mutex and
// a condition per mailbox, as smp.c does.  chanpp: two goroutines hand a
// token through two unbuffered channels.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func skynet(c chan int64, num, size int64) {
	if size == 1 {
		c <- num
		return
	}
	rc := make(chan int64, 10)
	for i := int64(0); i < 10; i++ {
		go skynet(rc, num+i*(size/10), size/10)
	}
	var sum int64
	for i := 0; i < 10; i++ {
		sum += <-rc
	}
	c <- sum
}

const ringN, tokens, hops = 1000, 100, 10000

type box struct {
	m      sync.Mutex
	c      *sync.Cond
	tokens int
	_      [40]byte
}

func main() {
	cas := "skynet"
	if len(os.Args) > 1 {
		cas = os.Args[1]
	}
	procs := runtime.GOMAXPROCS(0)
	switch cas {
	case "skynet":
		t0 := time.Now()
		c := make(chan int64, 1)
		go skynet(c, 0, 1000000)
		sum := <-c
		d := time.Since(t0)
		if sum != 499999500000 {
			fmt.Fprintln(os.Stderr, "go_smp: skynet sum", sum)
			os.Exit(1)
		}
		fmt.Printf("case=skynet system=go scheds=%d value=%.1f unit=ms check=%d\n",
			procs, float64(d.Nanoseconds())/1e6, sum)
	case "ring":
		var boxes [ringN]box
		for i := range boxes {
			boxes[i].c = sync.NewCond(&boxes[i].m)
			if i%(ringN/tokens) == 0 {
				boxes[i].tokens = 1
			}
		}
		var total int64
		var wg sync.WaitGroup
		t0 := time.Now()
		for i := 0; i < ringN; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				b, next := &boxes[i], &boxes[(i+1)%ringN]
				quota := tokens * hops / ringN
				for k := 0; k < quota; k++ {
					b.m.Lock()
					for b.tokens == 0 {
						b.c.Wait()
					}
					b.tokens--
					b.m.Unlock()
					next.m.Lock()
					next.tokens++
					next.c.Signal()
					next.m.Unlock()
				}
				atomic.AddInt64(&total, int64(quota))
			}(i)
		}
		wg.Wait()
		d := time.Since(t0)
		if total != tokens*hops {
			fmt.Fprintln(os.Stderr, "go_smp: ring hops", total)
			os.Exit(1)
		}
		fmt.Printf("case=ring system=go scheds=%d value=%.1f unit=ns/hop check=%d\n",
			procs, float64(d.Nanoseconds())/float64(total), total)
	case "chanpp":
		rounds := 200000
		if len(os.Args) > 2 {
			rounds, _ = strconv.Atoi(os.Args[2])
		}
		a, b := make(chan int), make(chan int)
		done := make(chan bool)
		t0 := time.Now()
		go func() {
			for k := 0; k < rounds; k++ {
				<-a
				b <- 1
			}
			done <- true
		}()
		go func() {
			for k := 0; k < rounds; k++ {
				a <- 1
				<-b
			}
			done <- true
		}()
		<-done
		<-done
		d := time.Since(t0)
		fmt.Printf("case=chanpp system=go scheds=%d value=%.1f unit=ns/handoff check=%d\n",
			procs, float64(d.Nanoseconds())/(2*float64(rounds)), rounds)
	}
}
