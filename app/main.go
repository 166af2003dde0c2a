// Command app prints a line every three seconds, forever: the smallest
// long-running program that shows what a scratch image can and cannot do.
package main

import (
	"fmt"
	"time"
)

func main() {
	for {
		fmt.Println("I'm running from scratch.")
		time.Sleep(3 * time.Second)
	}
}
