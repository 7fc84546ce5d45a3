//go:build !linux

package main

import "os/exec"

// dieWithParent does nothing where the kernel cannot tie a child's life to
// its parent's; the bench stops its children itself when it can.
func dieWithParent(*exec.Cmd) {}
