// Command bench-client-go is the client-go subject of tools/bench: a SharedInformerFactory
// pod informer whose numbers are printed as JSON lines on stdout, driven like the Node subjects
// (see ../src/subject-protocol.ts): "stop" on stdin ends the relist scenario.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

const sentAnnotation = "bench.rxinformer.dev/sent"

func emit(v map[string]any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func peakRSS() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss * 1024
}

func currentRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, res int64
	fmt.Sscan(string(b), &size, &res)
	return res * int64(os.Getpagesize())
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func nowMs() float64 { return float64(time.Now().UnixNano()) / 1e6 }

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig path")
	scenario := flag.String("scenario", "initial-sync", "scenario")
	objects := flag.Int("objects", 0, "objects expected in the initial list")
	events := flag.Int("events", 0, "MODIFIED events expected after sync")
	protobuf := flag.Bool("protobuf", false, "use protobuf instead of JSON")
	subscribers := flag.Int("subscribers", 1, "event handlers on the shared informer")
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		emit(map[string]any{"error": err.Error()})
		os.Exit(1)
	}
	cfg.QPS = 1000
	cfg.Burst = 1000
	if *protobuf {
		cfg.ContentType = "application/vnd.kubernetes.protobuf"
		cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	} else {
		cfg.ContentType = "application/json"
		cfg.AcceptContentTypes = "application/json"
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		emit(map[string]any{"error": err.Error()})
		os.Exit(1)
	}

	baseHeap := heapAfterGC()
	var synced atomic.Bool
	var updates, sameRV, adds, deletes atomic.Int64
	var mu sync.Mutex
	latencies := make([]float64, 0, *events)
	var lastEventAt, firstEventAt atomic.Int64
	var cpuAtFirst atomic.Uint64
	done := make(chan struct{})
	var doneOnce sync.Once

	factory := informers.NewSharedInformerFactory(client, 0)
	informer := factory.Core().V1().Pods().Informer()
	for s := 0; s < *subscribers; s++ {
		primary := s == 0
		_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc: func(obj any) {
				if primary {
					adds.Add(1)
				}
			},
			UpdateFunc: func(oldObj, newObj any) {
				if !primary {
					return
				}
				oldPod, _ := oldObj.(*corev1.Pod)
				newPod, _ := newObj.(*corev1.Pod)
				if oldPod != nil && newPod != nil && oldPod.ResourceVersion == newPod.ResourceVersion {
					sameRV.Add(1)
					return
				}
				n := updates.Add(1)
				if n == 1 {
					firstEventAt.Store(time.Now().UnixNano())
					cpuAtFirst.Store(math.Float64bits(cpuSeconds()))
				}
				if newPod != nil {
					if sent, ok := newPod.Annotations[sentAnnotation]; ok {
						if ms, err := strconv.ParseFloat(sent, 64); err == nil {
							mu.Lock()
							latencies = append(latencies, nowMs()-ms)
							mu.Unlock()
						}
					}
				}
				lastEventAt.Store(time.Now().UnixNano())
				if *events > 0 && n >= int64(*events) {
					doneOnce.Do(func() { close(done) })
				}
			},
			DeleteFunc: func(obj any) {
				if primary {
					deletes.Add(1)
				}
			},
		})
	}

	stopCh := make(chan struct{})
	start := time.Now()
	cpu0 := cpuSeconds()
	factory.Start(stopCh)
	// WaitForCacheSync polls every 100 ms: poll every millisecond to time the sync fairly.
	for !informer.HasSynced() {
		time.Sleep(time.Millisecond)
	}
	syncSeconds := time.Since(start).Seconds()
	syncCPU := cpuSeconds() - cpu0
	synced.Store(true)
	count := len(informer.GetStore().ListKeys())
	heap := heapAfterGC()
	steadyRSS := currentRSS()
	emit(map[string]any{"event": "synced", "objects": count})

	if *objects > 0 && count != *objects {
		emit(map[string]any{"warning": fmt.Sprintf("synced %d objects, expected %d", count, *objects)})
	}
	result := map[string]any{
		"objects":      count,
		"sync_seconds": syncSeconds,
		"sync_cpu_s":   syncCPU,
		"heap_bytes":   float64(heap) - float64(baseHeap),
	}
	if count > 0 {
		result["heap_bytes_per_object"] = (float64(heap) - float64(baseHeap)) / float64(count)
	}

	switch *scenario {
	case "relist":
		var peak atomic.Int64
		peak.Store(steadyRSS)
		var peakHeap atomic.Uint64
		stopSampling := make(chan struct{})
		go func() {
			t := time.NewTicker(10 * time.Millisecond)
			defer t.Stop()
			var m runtime.MemStats
			for {
				select {
				case <-stopSampling:
					return
				case <-t.C:
					if r := currentRSS(); r > peak.Load() {
						peak.Store(r)
					}
					runtime.ReadMemStats(&m)
					if m.HeapAlloc > peakHeap.Load() {
						peakHeap.Store(m.HeapAlloc)
					}
				}
			}
		}()
		waitStop()
		close(stopSampling)
		result["steady_rss_bytes"] = steadyRSS
		result["relist_peak_rss_bytes"] = peak.Load()
		result["steady_heap_bytes"] = heap
		result["relist_peak_heap_bytes"] = peakHeap.Load()
		result["same_rv_updates"] = sameRV.Load() + updates.Load()
		result["updates"] = updates.Load()
		result["deletes"] = deletes.Load()
	case "initial-sync", "memory-modes":
	default:
		if *events > 0 {
			select {
			case <-done:
			case <-time.After(10 * time.Minute):
				result["error"] = "timed out waiting for events"
			}
			secs := float64(lastEventAt.Load()-firstEventAt.Load()) / 1e9
			n := updates.Load()
			result["events"] = n
			result["seconds"] = secs
			if secs > 0 {
				result["events_per_s"] = float64(n-1) / secs
			}
			result["cpu_s"] = cpuSeconds() - math.Float64frombits(cpuAtFirst.Load())
			mu.Lock()
			sort.Float64s(latencies)
			if len(latencies) > 0 {
				result["p50_ms"] = percentile(latencies, 0.5)
				result["p99_ms"] = percentile(latencies, 0.99)
				result["max_ms"] = latencies[len(latencies)-1]
			}
			mu.Unlock()
		}
	}
	result["peak_rss_bytes"] = peakRSS()
	emit(map[string]any{"result": result})
	close(stopCh)
	os.Exit(0)
}

func waitStop() {
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		if scanner.Text() == "stop" {
			return
		}
	}
}
