#!/bin/sh
# Install test of the .deb packages in a throwaway Debian 12 chroot:
# install, check the PAM/NSS wiring and the CLI, reinstall (upgrade path),
# purge, check that nothing of cvmkey is left.
#
#   sudo sh packaging/test-install.sh [DEBDIR]
#
# DEBDIR holds cvmkey_*.deb, libpam-cvmkey_*.deb and (when built)
# libnss-cvm_*.deb; default: the directory above the source tree, where
# dpkg-buildpackage puts them.  Needs root, debootstrap and the network
# path to the Debian archive apt uses here (MIRROR=..., default
# http://deb.debian.org/debian).  KEEP_TARBALL=FILE caches the debootstrap
# result in FILE and reuses it on later runs.
#
# Everything happens in a temporary directory, inside a private mount
# namespace (unshare -m): /proc and /dev are mounted in the chroot only,
# and vanish with the namespace.  The host's PAM, NSS and debconf are not
# touched.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
debdir=$(cd "${1:-$srcdir/..}" && pwd)
mirror=${MIRROR:-http://deb.debian.org/debian}
suite=${SUITE:-bookworm}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (debootstrap, chroot)"; exit 77
fi
PATH=$PATH:/usr/sbin:/sbin
for t in debootstrap unshare chroot; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
done

# Re-run inside a private mount namespace.
if [ -z "${CVM_TEST_INSTALL_NS:-}" ]; then
	CVM_TEST_INSTALL_NS=1 exec unshare -m --propagation private sh "$0" "$debdir"
fi

start=$(date +%s)
tmp=$(mktemp -d /tmp/cvmkey-test-install.XXXXXX)
R=$tmp/root
cleanup() {
	for m in "$R/dev/pts" "$R/dev" "$R/proc" "$R/sys"; do
		mountpoint -q "$m" 2>/dev/null && umount -l "$m" || true
	done
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT INT TERM

debs=""
for p in cvmkey libpam-cvmkey libnss-cvm; do
	f=$(ls "$debdir"/${p}_*.deb 2>/dev/null | sort -V | tail -1 || true)
	if [ -n "$f" ]; then debs="$debs $p"; cp "$f" "$tmp/"; fi
done
case $debs in
*cvmkey*libpam-cvmkey*) ;;
*) echo "FAIL: no cvmkey_*.deb / libpam-cvmkey_*.deb in $debdir"; exit 1 ;;
esac
echo "# packages:$debs (from $debdir)"

echo "# debootstrap --variant=minbase $suite from $mirror"
if [ -n "${KEEP_TARBALL:-}" ] && [ -f "$KEEP_TARBALL" ]; then
	debootstrap --variant=minbase --unpack-tarball="$KEEP_TARBALL" "$suite" "$R" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
		{ tail -20 "$tmp/debootstrap.log"; exit 1; }
else
	if [ -n "${KEEP_TARBALL:-}" ]; then
		debootstrap --variant=minbase --make-tarball="$KEEP_TARBALL" "$suite" "$tmp/mk" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
			{ tail -20 "$tmp/debootstrap.log"; exit 1; }
		debootstrap --variant=minbase --unpack-tarball="$KEEP_TARBALL" "$suite" "$R" "$mirror" >>"$tmp/debootstrap.log" 2>&1 ||
			{ tail -20 "$tmp/debootstrap.log"; exit 1; }
	else
		debootstrap --variant=minbase "$suite" "$R" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
			{ tail -20 "$tmp/debootstrap.log"; exit 1; }
	fi
fi
echo "# debootstrap done after $(( $(date +%s) - start ))s"

mount -t proc proc "$R/proc"
mount --bind /dev "$R/dev"
mount --bind /dev/pts "$R/dev/pts" 2>/dev/null || true
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$R/tmp/debs"
cp "$tmp"/*.deb "$R/tmp/debs/"
# No daemon may start in the chroot.
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 0755 "$R/usr/sbin/policy-rc.d"

in_root() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
check() { # description, then a command run in the chroot (sh -c)
	d=$1; shift
	if in_root sh -c "$1" >"$tmp/out" 2>&1; then ok "$d"; else bad "$d"; sed 's/^/#   /' "$tmp/out"; fi
}

debfiles=$(cd "$R/tmp/debs" && ls *.deb | sed 's|^|/tmp/debs/|' | tr '\n' ' ')

in_root apt-get -q update >"$tmp/apt.log" 2>&1 || { tail -20 "$tmp/apt.log"; exit 1; }
# A pristine common-* (as Debian ships it): pam-auth-update must change it.
check "common-auth pristine before install" '! grep -q pam_cvmkey /etc/pam.d/common-auth'

echo "# install:$debs"
if in_root apt-get -q -y install $debfiles >"$tmp/install.log" 2>&1; then
	ok "apt-get install ./*.deb"
else bad "apt-get install ./*.deb"; tail -30 "$tmp/install.log"; exit 1; fi

wired_checks() { # phase
	check "$1: cvmkey --version runs" 'cvmkey --version'
	check "$1: common-auth has the cvmkey line (DESIGN §2 control), once" \
		'[ "$(grep -c "^auth[[:space:]]*\[success=ok ignore=ignore module_unknown=ignore default=bad\][[:space:]]*pam_cvmkey\.so[[:space:]]*$" /etc/pam.d/common-auth)" = 1 ]'
	check "$1: cvmkey line before pam_unix, diagnose after it and before pam_deny" '
		a=$(grep -v "^#" /etc/pam.d/common-auth | grep -v "^[[:space:]]*$")
		c=$(echo "$a" | grep -n "pam_cvmkey\.so[[:space:]]*$" | cut -d: -f1)
		u=$(echo "$a" | grep -n "pam_unix\.so" | cut -d: -f1)
		g=$(echo "$a" | grep -n "pam_cvmkey\.so[[:space:]]*diagnose" | cut -d: -f1)
		d=$(echo "$a" | grep -n "pam_deny\.so" | cut -d: -f1)
		p=$(echo "$a" | grep -n "pam_permit\.so" | cut -d: -f1)
		j=$(echo "$a" | sed -n "${u}s/.*success=\([0-9]*\).*/\1/p")
		[ "$c" -lt "$u" ] && [ "$u" -lt "$g" ] && [ "$g" -lt "$d" ] && [ $((u + j + 1)) -eq "$p" ]'
	check "$1: common-account and common-session have the optional lines" '
		grep -q "^account[[:space:]]*optional[[:space:]]*pam_cvmkey\.so" /etc/pam.d/common-account &&
		grep -q "^session[[:space:]]*optional[[:space:]]*pam_cvmkey\.so" /etc/pam.d/common-session'
	check "$1: module in /lib/<triplet>/security" 'ls /lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || dpkg --print-architecture | sed s/amd64/x86_64-linux-gnu/)/security/pam_cvmkey.so || ls /lib/*/security/pam_cvmkey.so'
	check "$1: /etc/cvmkey/cvmkey.conf is a conffile with policy = audit" '
		dpkg-query -W -f="\${Conffiles}\n" cvmkey | grep -q "^ /etc/cvmkey/cvmkey.conf " &&
		grep -q "^policy = audit" /etc/cvmkey/cvmkey.conf'
	check "$1: _cvmkey system user" 'id _cvmkey && [ "$(getent passwd _cvmkey | cut -d: -f6)" = /nonexistent ] && [ "$(id -u _cvmkey)" -lt 1000 ]'
	check "$1: /var/lib/cvmkey exists" 'test -d /var/lib/cvmkey'
	check "$1: sshd_config.d example shipped, not active" '
		test -f /usr/share/doc/cvmkey/examples/sshd_config.d/cvmkey.conf && ! test -e /etc/ssh/sshd_config.d/cvmkey.conf'
	check "$1: cvmkey list on the fresh install" 'cvmkey list'
	case $debs in *libnss-cvm*)
		check "$1: nsswitch.conf passwd and group end with cvm, once" '
			grep -Eq "^passwd:.*[[:space:]]cvm$" /etc/nsswitch.conf && grep -Eq "^group:.*[[:space:]]cvm$" /etc/nsswitch.conf &&
			[ "$(grep -c "[[:space:]]cvm\b" /etc/nsswitch.conf)" = 2 ]'
		check "$1: lookups still work with libnss_cvm loaded (no database yet)" '
			getent passwd root >/dev/null && getent group root >/dev/null &&
			{ getent passwd no-such-user-cvm; [ $? -eq 2 ]; }' ;;
	esac
}
wired_checks install

echo "# reinstall (upgrade path)"
if in_root apt-get -q -y install --reinstall $debfiles >"$tmp/reinstall.log" 2>&1; then
	ok "apt-get install --reinstall"
else bad "apt-get install --reinstall"; tail -30 "$tmp/reinstall.log"; fi
wired_checks reinstall

echo "# purge"
pkgs=$(echo "$debs")
if in_root apt-get -q -y purge $pkgs >"$tmp/purge.log" 2>&1; then
	ok "apt-get purge$debs"
else bad "apt-get purge$debs"; tail -30 "$tmp/purge.log"; fi
check "purge: no pam_cvmkey in /etc/pam.d" '! grep -rl pam_cvmkey /etc/pam.d'
check "purge: no profile left in /usr/share/pam-configs" '! ls /usr/share/pam-configs/cvmkey* 2>/dev/null | grep .'
check "purge: common-auth back to pam_unix success=1 on pam_permit" '
	grep -v "^#" /etc/pam.d/common-auth | grep -q "^auth[[:space:]]*\[success=1 default=ignore\][[:space:]]*pam_unix\.so"'
check "purge: /etc/cvmkey and /var/lib/cvmkey gone" '! test -e /etc/cvmkey && ! test -e /var/lib/cvmkey'
check "purge: no cvm in nsswitch.conf" '! grep -Eq "[[:space:]]cvm\b" /etc/nsswitch.conf'
check "purge: no package left" '! dpkg -l cvmkey libpam-cvmkey libnss-cvm 2>/dev/null | grep -q "^[a-z][a-z] "'
check "purge: getent still works" 'getent passwd root >/dev/null'

echo "# took $(( $(date +%s) - start ))s"
if [ "$fail" -eq 0 ]; then echo "PASS: install test"; else echo "FAIL: install test"; fi
exit "$fail"
