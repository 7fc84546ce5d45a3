//go:build ignore

// Command vapid-keys writes a new VAPID key pair for Web Push into a folder,
// each key base64url in a file of its own readable only by its owner:
// private-key (the P-256 scalar) and public-key (the uncompressed point).
// scripts/vapid-keys.sh stores them in SSM; nothing is printed.
//
//	go run scripts/vapid-keys.go <folder>
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/parley-chat/parley/adapters/webpush"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/vapid-keys.go <folder>")
		os.Exit(2)
	}
	keys, err := webpush.GenerateKeys()
	if err == nil {
		err = os.WriteFile(filepath.Join(os.Args[1], "private-key"), []byte(keys.Private), 0o600)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(os.Args[1], "public-key"), []byte(keys.Public), 0o600)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vapid-keys:", err)
		os.Exit(1)
	}
}
