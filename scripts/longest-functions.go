//go:build ignore

// Command longest-functions prints, for each Go package below a folder, its
// longest production function (test files left out), and with -over N every
// production function longer than N lines, each of which should say beside it
// why it cannot be split.
//
//	go run scripts/longest-functions.go [-over 80] [folder]
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type function struct {
	name, at string
	lines    int
}

func main() {
	over := flag.Int("over", 0, "also list every production function longer than this many lines")
	flag.Parse()
	root := "."
	if flag.NArg() > 0 {
		root = flag.Arg(0)
	}
	longest := map[string]function{}
	var long []function
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			f, ok := decl.(*ast.FuncDecl)
			if !ok || f.Body == nil {
				continue
			}
			start := fset.Position(f.Pos())
			fn := function{name: receiver(f) + f.Name.Name, at: fmt.Sprintf("%s:%d", path, start.Line), lines: fset.Position(f.End()).Line - start.Line + 1}
			if dir := filepath.Dir(path); fn.lines > longest[dir].lines {
				longest[dir] = fn
			}
			if *over > 0 && fn.lines > *over {
				long = append(long, fn)
			}
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dirs := make([]string, 0, len(longest))
	for dir := range longest {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		fn := longest[dir]
		fmt.Printf("%-40s %4d  %s  %s\n", dir, fn.lines, fn.name, fn.at)
	}
	if *over > 0 {
		fmt.Printf("\nover %d lines:\n", *over)
		for _, fn := range long {
			fmt.Printf("%4d  %s  %s\n", fn.lines, fn.name, fn.at)
		}
	}
}

// receiver is "Type." for a method, "" for a function.
func receiver(f *ast.FuncDecl) string {
	if f.Recv == nil || len(f.Recv.List) == 0 {
		return ""
	}
	t := f.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "."
	}
	return ""
}
