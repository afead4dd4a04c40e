// Command hello is the hello-world Go process of bench/sidebyside: the
// floor of starting any Go program on the machine.
package main

import "fmt"

func main() { fmt.Println("hello, world") }
