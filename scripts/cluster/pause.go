// The sandbox ("pause") container of the single-node test cluster: it holds a pod's namespaces
// and does nothing else until it is told to stop. Built as a static binary by
// single-node-cluster.sh, because no image registry is reachable to pull the usual one from.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
