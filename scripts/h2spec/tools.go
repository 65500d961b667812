//go:build tools

// Package tools pins h2spec and its dependencies, so that scripts/h2spec.sh builds the same binary
// on every machine.
package tools

import _ "github.com/summerwind/h2spec/cmd/h2spec"
