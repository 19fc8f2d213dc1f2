#!/bin/bash
# CPU per small call (user+sys of the whole process: the client and the in-process server),
# from the difference of a 22,000- and a 2,000-call run, 3 rounds. Usage, from bench/:
#   go test -c -o /tmp/bench.test . && ./cpu-per-call.sh
# Rusage is steadier than wall time on a shared 2-vCPU VM.
run(){ /usr/bin/time -f "%U %S" /tmp/bench.test -test.run '^$' -test.bench "BenchmarkCall/small\$/^$1\$" -test.benchtime ${2}x >/dev/null 2>/tmp/cpucall.$$; tail -1 /tmp/cpucall.$$ | awk '{print $1+$2}'; }
for round in 1 2 3; do
 for impl in raw sdk sdk-aksk resty; do
  a=$(run $impl 2000); b=$(run $impl 22000)
  echo "$round $impl $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f µs", (b - a) / 20000 * 1e6 }')"
 done
done
