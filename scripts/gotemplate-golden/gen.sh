#!/bin/bash
# Regenerates whittle-cli's golden file of Go's text/template behaviour (GoTemplateGoldenTest reads it):
# Go's own test tables (exec_test.go, multi_test.go, parse/parse_test.go of the Go installed here, 1.19 like docker
# 20.10's CLI), run as docker runs templates (docker's functions, a template named "") over their data, plus
# whittle's cases over docker's types. The tables are copied from GOROOT into a scratch module and compiled with
# the generator; nothing here needs the network.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../whittle-cli/src/test/resources/dev/whittle/cli/format/go-template-golden.json}
src=$(go env GOROOT)/src/text/template
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here"/. "$work"/
rm -f "$work/gen.sh"
# exec_test.go as a file of package main that uses text/template by dot import
sed -e 's/^package template$/package main/' -e 's/^import ($/import (\n\t. "text\/template"/' "$src/exec_test.go" > "$work/goexec.go"
block() { awk -v start="$2" '$0 ~ start {on=1} on {print} on && /^}$/ {exit}' "$1"; }
constblock() { awk -v start="$2" '$0 ~ start {on=1} on {print} on && /`$/ && NR>1 && !/^const/ {exit}' "$1"; }
{
  echo 'package main'
  echo 'const (noError = true; hasError = false)'
  echo 'type parseTest struct { name string; input string; ok bool; result string }'
  block "$src/parse/parse_test.go" '^var parseTests = '
  block "$src/parse/parse_test.go" '^var errorTests = '
  block "$src/multi_test.go" '^var multiExecTests = '
  constblock "$src/multi_test.go" '^const multiText1 = '
  constblock "$src/multi_test.go" '^const multiText2 = '
} > "$work/gotables.go"
(cd "$work" && GOFLAGS=-mod=mod GOPROXY=off go run . > "$work/golden.json")
mv "$work/golden.json" "$out"
echo "wrote $out" >&2
