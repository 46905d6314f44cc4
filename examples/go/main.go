// Command greet prints a greeting for each argument, as JSON.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"example.com/greet/greeting"
)

func main() {
	names := os.Args[1:]
	if len(names) == 0 {
		names = []string{"world"}
	}
	encoded, err := json.Marshal(greeting.For(names))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(encoded))
}
