#!/bin/sh
# bench/audit_bench.sh [BUILDDIR] [RUNS]: a full live `cvmkey audit` of this
# machine, median of RUNS runs (default 21), side by side with lynis's SSH
# and authentication tests (`lynis audit system --tests-from-group
# "ssh authentication" --quick`), median of 3.  lynis is fetched with
# `apt-get download` and run from a private directory (not installed; it
# only reads, and writes no log with --no-log).  Results: bench/README.md.
set -eu
B=${1:-.}
N=${2:-21}
CACHE=${CVM_BENCH_CACHE:-/var/tmp/cvmkey-bench}
mkdir -p "$CACHE"
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for i in $(seq "$N"); do
	t0=$(now); "$B/cvmkey" audit >/dev/null 2>&1 || true; t1=$(now)
	echo $(( (t1 - t0) / 1000 ))
done | median > "$CACHE/cvm.us"
"$B/cvmkey" audit --format json 2>/dev/null | jq -r '"cvmkey audit: \(.summary.pass + .summary.info + .summary.warn + .summary.fail) findings (\(.summary.pass) pass)"' || true
echo "cvmkey audit (live, full): median $(cat "$CACHE/cvm.us") us over $N runs"

L=$CACHE/lynis
if [ ! -x "$L/usr/share/lynis/lynis" ]; then
	(cd "$CACHE" && apt-get download lynis >/dev/null 2>&1) ||
	    { echo "lynis: cannot download (apt-get download lynis)"; exit 0; }
	mkdir -p "$L" && dpkg-deb -x "$CACHE"/lynis_*.deb "$L"
	cp "$L/usr/sbin/lynis" "$L/etc/lynis/default.prf" "$L/usr/share/lynis/"
fi
for i in 1 2 3; do
	t0=$(now)
	(cd "$L/usr/share/lynis" && ./lynis audit system --tests-from-group \
	    "ssh authentication" --quick --no-colors --no-log --profile default.prf \
	    --plugindir "$L/etc/lynis/plugins" >/dev/null 2>&1) || true
	t1=$(now)
	echo $(( (t1 - t0) / 1000 ))
done | median > "$CACHE/lynis.us"
echo "lynis $(dpkg-deb -f "$CACHE"/lynis_*.deb Version) (ssh + authentication groups): median $(cat "$CACHE/lynis.us") us over 3 runs"
