#!/bin/sh
# NSS lookups: nss_cvm against nss_files, libnss-extrausers, libnss-cache and
# libnss-db, then `cvmkey apply` of a 100,000-account document
# (bench/README.md).  Run from the build directory, as root:
#
#   bench/nss_bench.sh CACHE_DIR [SIZES...]     (default 1000 10000 100000 1000000)
#
# CACHE_DIR keeps the peer packages (apt-get download + dpkg-deb -x: nothing
# is installed) and the generated files of each size, so a second run skips
# the slow part.  The peers read fixed paths (/etc/passwd,
# /var/lib/extrausers/passwd, /etc/passwd.cache*, /var/lib/misc/passwd.db):
# each size runs in a private mount namespace with overlays on /etc and
# /var/lib and the generated files bind-mounted there; the machine's own
# files are never written.
# Environment: NSS_BENCH_ITER (most lookups per module, size and call;
# 200000), NSS_BENCH_BUDGET (seconds per module, size and call; 2),
# APPLY_ACCOUNTS (100000; 0 skips the apply timing).
set -eu

BUILD=$(pwd)
BENCH=$BUILD/bench/nss_bench

if [ "${1:-}" = --inside ]; then
	# In the private mount namespace: CACHE N PEERS SCRATCH
	C=$2 N=$3 P=$4 S=$5 D=$2/$3
	mkdir $S/eu $S/ew $S/vu $S/vw
	mount -t overlay overlay -o lowerdir=/etc,upperdir=$S/eu,workdir=$S/ew /etc
	mount -t overlay overlay -o lowerdir=/var/lib,upperdir=$S/vu,workdir=$S/vw /var/lib
	mkdir -p /var/lib/extrausers /var/lib/misc
	for f in /etc/passwd.cache /etc/passwd.cache.ixname /etc/passwd.cache.ixuid \
	    /var/lib/extrausers/passwd /var/lib/misc/passwd.db; do
		: > $f
	done
	mount --bind $D/passwd /etc/passwd
	mount --bind $D/passwd /var/lib/extrausers/passwd
	mount --bind $D/passwd /etc/passwd.cache
	mount --bind $D/passwd.cache.ixname /etc/passwd.cache.ixname
	mount --bind $D/passwd.cache.ixuid /etc/passwd.cache.ixuid
	mount --bind $D/passwd.db /var/lib/misc/passwd.db
	[ -d /run/nscd ] && mount -t tmpfs tmpfs /run/nscd
	st=0
	CVMKEY_DB=$D/bindings.db LD_LIBRARY_PATH=$(cat $P/ld_path) "$BENCH" run "$N" \
	    files=libnss_files.so.2 \
	    extrausers=$P/usr/lib/libnss_extrausers.so.2 \
	    cache=$(find $P -name libnss_cache.so.2 | head -1) \
	    db=$(find $P -name libnss_db.so.2 | head -1) \
	    cvm=$BUILD/.libs/libnss_cvm.so.2 || st=$?
	# the namespace's mounts go with it; the caller removes $S (the
	# overlays' upper dirs: only the empty mount points created above)
	exit $st
fi

[ "$(id -u)" = 0 ] || { echo "nss_bench.sh: needs root (mount namespace)" >&2; exit 1; }
[ $# -ge 1 ] || { echo "usage: $0 CACHE_DIR [SIZES...]" >&2; exit 2; }
[ -x "$BENCH" ] && [ -e "$BUILD/.libs/libnss_cvm.so.2" ] ||
	{ echo "nss_bench.sh: run from the build directory after make bench/nss_bench" >&2; exit 1; }
C=$1
shift
SIZES=${*:-1000 10000 100000 1000000}
for n in $SIZES; do
	case $n in
	''|*[!0-9]*|0*) echo "nss_bench.sh: bad size $n" >&2; exit 2;;
	esac
done
umask 022
mkdir -p "$C"
C=$(cd "$C" && pwd)

# The peers, from Debian, unpacked (not installed: nothing touches
# nsswitch.conf or restarts nscd).
P=$C/peers
if [ ! -e $P/ok ]; then
	rm -rf $P $C/debs && mkdir -p $P $C/debs
	pkgs="libnss-extrausers libnss-cache libnss-db"
	# libnss-db's module and makedb need libdb-5.3 (usually installed)
	ldconfig -p | grep -q 'libdb-5\.3\.so ' || pkgs="$pkgs libdb5.3"
	id _apt >/dev/null 2>&1 && chown _apt $C/debs	# apt's download sandbox
	(cd $C/debs && apt-get download $pkgs)
	for d in $C/debs/*.deb; do dpkg-deb -x $d $P; done
	l=$(find $P -name 'libdb-5.3.so' | head -1)
	if [ -n "$l" ]; then dirname "$l"; fi > $P/ld_path
	touch $P/ok
fi
LDP=$(cat $P/ld_path)

for n in $SIZES; do
	D=$C/$n
	[ -e $D/ok ] && continue
	echo "generating $n users in $D" >&2
	# 0755 (umask 022): the cvmkey database's directory must not be
	# group or world writable
	rm -rf $D && mkdir $D
	"$BENCH" gen $D $n
	LD_LIBRARY_PATH=$LDP $P/usr/bin/makedb --quiet -o $D/passwd.db $D/passwd.makedb
	rm -f $D/passwd.makedb
	touch $D/ok
done

R=$C/results.txt
: > $R
{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) nproc $(nproc), $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), Linux $(uname -r), glibc $(ldd --version | head -1 | awk '{print $NF}')"
	echo "# NSS_BENCH_ITER=${NSS_BENCH_ITER:-200000} NSS_BENCH_BUDGET=${NSS_BENCH_BUDGET:-2}"
} | tee -a $R
st=0
for n in $SIZES; do
	S=$(mktemp -d /tmp/nss-bench.XXXXXX)
	unshare -m --propagation private "$0" --inside $C $n $P $S > $C/out || st=1
	rm -rf $S
	cat $C/out | tee -a $R
	"$BENCH" memfloor $C/$n/bindings.db | tee -a $R
done

# `cvmkey apply` of a generated document (cached), into a fresh database.
A=${APPLY_ACCOUNTS:-100000}
if [ "$A" -gt 0 ]; then
	mkdir -p $C/apply
	[ -e $C/apply/doc-$A.json ] || "$BENCH" gendoc $C/apply/doc-$A.json $A
	rm -rf $C/apply/state && mkdir -m 755 $C/apply/state
	printf 'policy = bound\ndb = %s\nuid_min = 100000\nuid_max = %d\ngid_min = 100000\ngid_max = %d\n' \
	    $C/apply/state/bindings.db $((100000 + A)) $((100000 + A)) > $C/apply/cvmkey.conf
	printf '# apply %d accounts (%s MiB document): ' $A \
	    $(($(stat -c %s $C/apply/doc-$A.json) / 1048576)) | tee -a $R
	unshare -m --propagation private sh -c '
		[ -d /run/nscd ] && mount -t tmpfs tmpfs /run/nscd
		exec "$@"' sh "$BENCH" time $BUILD/cvmkey --config $C/apply/cvmkey.conf \
	    apply $C/apply/doc-$A.json > $C/out || st=1
	cat $C/out | tee -a $R
	printf '# database %d MiB\n' $(($(stat -c %s $C/apply/state/bindings.db) / 1048576)) | tee -a $R
fi
echo "results in $R" >&2
exit $st
