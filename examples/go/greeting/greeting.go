// Package greeting builds greetings.
package greeting

import (
	"fmt"
	"strings"
)

// For returns one greeting per name, with the name title-cased.
func For(names []string) []string {
	greetings := make([]string, 0, len(names))
	for _, name := range names {
		if name == "" {
			continue
		}
		greetings = append(greetings, fmt.Sprintf("Hello, %s!", strings.ToUpper(name[:1])+name[1:]))
	}
	return greetings
}
