#!/usr/bin/env bash
# "A Java developer's first hour": compiles and runs the README examples against the INSTALLED
# io.sightline artifacts, in a Maven project outside the reactor that imports the BOM, the way a
# user pastes them. Install first, at the repository root:
#
#   mvn -B -q install -DskipTests && bash first-hour/run.sh
#
# Every README block marked (the marker at the start of its line)
#   <!-- first-hour: SomeExample.java expect="REGEX" -->
#   ```java
#   ...
#   ```
# is extracted to first-hour/target/generated-sources/readme/SomeExample.java (generated on each
# run, never checked in), compiled, and run from the repository root with the repository's
# testdata/ folder as its argument. A program passes when it exits 0 within FIRST_HOUR_TIMEOUT
# seconds (default 300) and a line of its standard output matches REGEX (grep -E).
# Maven runs offline (-o) first and online only when something is missing from ~/.m2.
# Exit status: 0 when every program passes, 1 otherwise (each failure names its README and line).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"
gen="$here/target/generated-sources/readme"
logs="$here/target/first-hour-logs"
tmp="$here/target/first-hour-tmp"
timeout_s=${FIRST_HOUR_TIMEOUT:-300}
rm -rf "$gen" "$logs" "$tmp" "$here/target/classes"
mkdir -p "$gen" "$logs" "$tmp"

say() { echo "[first-hour] $*" >&2; }
fail_list=()

# ---------------------------------------------------------------- 1. extract the README blocks
manifest="$here/target/first-hour-manifest.tsv"   # file <TAB> README <TAB> first code line <TAB> regex
: > "$manifest"
readmes=(README.md */README.md)
for readme in "${readmes[@]}"; do
  [ -f "$readme" ] || continue
  awk -v readme="$readme" -v gen="$gen" -v manifest="$manifest" '
    function die(msg) { print "[first-hour] " readme ":" NR ": " msg > "/dev/stderr"; bad = 1; exit 1 }
    state == 0 && /^<!-- *first-hour:/ {
      line = $0
      if (!match(line, /first-hour: *[A-Za-z_][A-Za-z0-9_]*\.java/)) die("first-hour marker without a FileName.java")
      file = substr(line, RSTART, RLENGTH); sub(/first-hour: */, "", file)
      expect = ""
      if (match(line, /expect="[^"]*"/)) { expect = substr(line, RSTART + 8, RLENGTH - 9) }
      if (expect == "") die("first-hour marker for " file " has no expect=\"REGEX\"")
      state = 1; next
    }
    state == 1 {
      if ($0 ~ /^```java[ \t]*$/) { state = 2; out = gen "/" file; start = NR + 1; printf "" > out; next }
      die("the first-hour marker must be followed directly by a ```java line")
    }
    state == 2 {
      if ($0 ~ /^```[ \t]*$/) {
        close(out); printf "%s\t%s\t%d\t%s\n", file, readme, start, expect >> manifest; state = 0; next
      }
      print >> out; next
    }
    END { if (!bad && state != 0) { NR = start; die("unterminated ```java block for " file) } }
  ' "$readme" || exit 1
done
if [ ! -s "$manifest" ]; then
  say "no README block is marked <!-- first-hour: Name.java expect=\"...\" -->"; exit 1
fi
dups=$(cut -f1 "$manifest" | sort | uniq -d)
if [ -n "$dups" ]; then
  say "two README blocks write the same file: $dups"; grep -F "$dups" "$manifest" >&2; exit 1
fi
while IFS=$'\t' read -r file readme start expect; do
  cls=${file%.java}
  if ! grep -Eq "^(public )?(final )?class $cls\b" "$gen/$file"; then
    say "$readme:$start: the block marked $file declares no top-level class $cls"; exit 1
  fi
done < "$manifest"
say "extracted $(wc -l < "$manifest") programs: $(cut -f1 "$manifest" | tr '\n' ' ')"

# ---------------------------------------------------------------- 2. compile against the BOM
version=$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
[ -n "$version" ] || { say "cannot read the project version from pom.xml"; exit 1; }
mvn_args=(-B -q -f "$here/pom.xml" -Dsightline.version="$version"
  compile dependency:build-classpath -Dmdep.outputFile="$here/target/classpath.txt")
t0=$(date +%s%N)
set +e
mvn -o "${mvn_args[@]}" > "$logs/mvn.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q 'offline mode\|has not been downloaded' "$logs/mvn.log"; then
  say "something is missing from ~/.m2; running Maven online"
  mvn "${mvn_args[@]}" > "$logs/mvn.log" 2>&1
  rc=$?
fi
set -e
compile_s=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
if [ $rc -ne 0 ]; then
  if grep -q "io.sightline:sightline-" "$logs/mvn.log" && ! grep -q 'COMPILATION ERROR' "$logs/mvn.log"; then
    say "the io.sightline $version artifacts are not installed: run 'mvn -B -q install -DskipTests' at $root first"
  fi
  # javac's "…/readme/X.java:[line,col] message" becomes "README:line:col: message (X.java)",
  # with javac's detail lines (symbol, location) after it; other Maven output stays in the log
  awk -F'\t' -v gen="$gen/" '
    { gsub(/\033\[[0-9;]*m/, "") }
    NR == FNR { readme[$1] = $2; start[$1] = $3; next }
    index($0, gen) {
      rest = substr($0, index($0, gen) + length(gen))
      if (match(rest, /^[A-Za-z0-9_]+\.java:\[[0-9]+,[0-9]+\]/)) {
        head = substr(rest, 1, RLENGTH); msg = substr(rest, RLENGTH + 1)
        f = head; sub(/:.*/, "", f)
        split(substr(head, index(head, "[") + 1), lc, /[],]/)
        if (f in readme) {
          text = sprintf("%s:%d:%d:%s", readme[f], start[f] + lc[1] - 1, lc[2], msg)
          ctx = !(text in seen)
          if (ctx) { seen[text] = 1; printf "[first-hour] %s  (example %s)\n", text, f > "/dev/stderr" }
          failed[readme[f]] = 1; mapped = 1; next
        }
      }
    }
    /^\[/ { ctx = 0; if (/^\[ERROR\]/ && !/Help|re-run Maven|For more information|^\[ERROR\] *$/) other[++n] = $0; next }
    ctx { print "    " $0 > "/dev/stderr" }
    END {
      if (!mapped) for (i = 1; i <= n; i++) print other[i] > "/dev/stderr"
      for (r in failed) printf "[first-hour] FAILED: the example in %s does not compile against the installed artifacts\n", r > "/dev/stderr"
    }
  ' "$manifest" "$logs/mvn.log"
  say "FAILED: Maven (compile) exited with $rc; full log: $logs/mvn.log"
  exit 1
fi
say "compiled in ${compile_s} s"

# ---------------------------------------------------------------- 3. run each program
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
summary=()
total_t0=$(date +%s%N)
while IFS=$'\t' read -r file readme start expect; do
  cls=${file%.java}
  say "running $cls ($readme)"
  t0=$(date +%s%N)
  set +e
  # a private temp folder: the examples create their stores there, and LightGBM unpacks its natives there
  timeout "$timeout_s" java -Djava.io.tmpdir="$tmp" -cp "$cp" "$cls" "$root/testdata" \
    > "$logs/$cls.out" 2> "$logs/$cls.err" < /dev/null
  rc=$?
  set -e
  secs=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  sed 's/^/    /' "$logs/$cls.out" >&2
  status=ok
  if [ $rc -eq 124 ]; then
    status="FAILED: timed out after ${timeout_s} s"
  elif [ $rc -ne 0 ]; then
    status="FAILED: exit code $rc"
  elif ! grep -Eq -- "$expect" "$logs/$cls.out"; then
    status="FAILED: no output line matches /$expect/"
  fi
  if [ "$status" != ok ]; then
    tail -n 25 "$logs/$cls.err" | sed 's/^/    stderr: /' >&2
    say "$readme:$start: $status (example $file; logs: $logs/$cls.out, .err)"
    fail_list+=("$readme ($file): ${status#FAILED: }")
  fi
  summary+=("$(printf '%-24s %-22s %7s s  %s' "$cls" "$readme" "$secs" "$status")")
done < "$manifest"
total_s=$(awk -v a="$total_t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

echo "[first-hour] results (Sightline $version; compile ${compile_s} s):" >&2
for line in "${summary[@]}"; do echo "  $line" >&2; done
echo "  total run time: ${total_s} s" >&2
if [ ${#fail_list[@]} -gt 0 ]; then
  for f in "${fail_list[@]}"; do say "FAILED: $f"; done
  exit 1
fi
say "all ${#summary[@]} README examples pass"
