#!/bin/sh
# Fast content check of the built .debs (dpkg-deb -c / -I / -e only; no
# root, no network): what CI runs after dpkg-buildpackage.
#
#   sh packaging/check-debs.sh [DEBDIR]     (default: the directory above
#                                            the source tree)
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
debdir=${1:-$srcdir/..}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

deb() { ls "$debdir"/"$1"_*.deb 2>/dev/null | sort -V | tail -1; }
has() { # package, path regex (in dpkg-deb -c's ./path form), description
	if dpkg-deb -c "$(deb "$1")" | awk '{ print $6 }' | grep -Eq "^$2\$"; then ok "$1: $3"
	else bad "$1: $3 ($2)"; fi
}
field() { dpkg-deb -f "$(deb "$1")" "$2"; }
ctrl() { # package, control file -> its content on stdout
	d=$(mktemp -d); dpkg-deb -e "$(deb "$1")" "$d"; cat "$d/$2" 2>/dev/null || true; rm -rf "$d"
}

for p in cvmkey libpam-cvmkey; do
	[ -n "$(deb $p)" ] || { echo "FAIL: no ${p}_*.deb in $debdir"; exit 1; }
done

# libpam-cvmkey
has libpam-cvmkey './lib/[a-z0-9_]+-linux-gnu[a-z0-9_]*/security/pam_cvmkey\.so' "module in /lib/<triplet>/security"
has libpam-cvmkey './usr/share/pam-configs/cvmkey' "pam-auth-update profile cvmkey"
has libpam-cvmkey './usr/share/pam-configs/cvmkey-diagnose' "pam-auth-update profile cvmkey-diagnose"
has libpam-cvmkey './usr/share/man/man8/pam_cvmkey\.8\.gz' "pam_cvmkey(8)"
dpkg-deb -c "$(deb libpam-cvmkey)" | grep -q '\.la$' && bad "libpam-cvmkey: no .la file" || ok "libpam-cvmkey: no .la file"
[ "$(field libpam-cvmkey Multi-Arch)" = same ] && ok "libpam-cvmkey: Multi-Arch: same" || bad "libpam-cvmkey: Multi-Arch: same"
field libpam-cvmkey Depends | grep -q 'libpam0g' && ok "libpam-cvmkey: shlibs Depends (libpam0g)" || bad "libpam-cvmkey: shlibs Depends (libpam0g)"
ctrl libpam-cvmkey postinst | grep -q 'pam-auth-update --package' &&
	ok "libpam-cvmkey: postinst runs pam-auth-update --package" || bad "libpam-cvmkey: postinst runs pam-auth-update --package"
ctrl libpam-cvmkey prerm | grep -q 'DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT.*pam-auth-update --package --remove cvmkey cvmkey-diagnose\|pam-auth-update --package --remove cvmkey cvmkey-diagnose' &&
	ok "libpam-cvmkey: prerm removes both profiles" || bad "libpam-cvmkey: prerm removes both profiles"
ctrl libpam-cvmkey prerm | grep -q 'DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT' &&
	ok "libpam-cvmkey: prerm has the multiarch guard" || bad "libpam-cvmkey: prerm has the multiarch guard"

# The profiles themselves (from the .deb, not from the tree).
d=$(mktemp -d); dpkg-deb -x "$(deb libpam-cvmkey)" "$d"
grep -Eq '^[[:space:]]+\[success=ok ignore=ignore module_unknown=ignore default=bad\][[:space:]]+pam_cvmkey\.so$' "$d/usr/share/pam-configs/cvmkey" &&
	grep -q '^Auth-Type: Primary$' "$d/usr/share/pam-configs/cvmkey" &&
	grep -q '^Default: yes$' "$d/usr/share/pam-configs/cvmkey" &&
	[ "$(sed -n 's/^Priority: //p' "$d/usr/share/pam-configs/cvmkey")" -gt 256 ] &&
	ok "profile cvmkey: Default yes, Primary, priority above pam_unix (256), DESIGN §2 control" ||
	bad "profile cvmkey: Default yes, Primary, priority above pam_unix (256), DESIGN §2 control"
grep -Eq '^[[:space:]]+optional[[:space:]]+pam_cvmkey\.so diagnose$' "$d/usr/share/pam-configs/cvmkey-diagnose" &&
	grep -q '^Auth-Type: Primary$' "$d/usr/share/pam-configs/cvmkey-diagnose" &&
	[ "$(sed -n 's/^Priority: //p' "$d/usr/share/pam-configs/cvmkey-diagnose")" -lt 256 ] &&
	ok "profile cvmkey-diagnose: Primary, priority below pam_unix, optional ... diagnose" ||
	bad "profile cvmkey-diagnose: Primary, priority below pam_unix, optional ... diagnose"
rm -rf "$d"

# cvmkey
has cvmkey './usr/sbin/cvmkey' "CLI /usr/sbin/cvmkey"
has cvmkey './etc/cvmkey/cvmkey\.conf' "/etc/cvmkey/cvmkey.conf"
has cvmkey './usr/share/man/man8/cvmkey\.8\.gz' "cvmkey(8)"
has cvmkey './usr/share/man/man5/cvmkey\.conf\.5\.gz' "cvmkey.conf(5)"
has cvmkey './var/lib/cvmkey/' "/var/lib/cvmkey"
has cvmkey './usr/share/doc/cvmkey/examples/sshd_config\.d/cvmkey\.conf' "sshd_config.d example"
dpkg-deb -c "$(deb cvmkey)" | grep -q '\./etc/ssh/' && bad "cvmkey: no active sshd drop-in" || ok "cvmkey: no active sshd drop-in"
ctrl cvmkey conffiles | grep -qx '/etc/cvmkey/cvmkey.conf' && ok "cvmkey: cvmkey.conf is a conffile" || bad "cvmkey: cvmkey.conf is a conffile"
d=$(mktemp -d); dpkg-deb -x "$(deb cvmkey)" "$d"
grep -q '^policy = audit$' "$d/etc/cvmkey/cvmkey.conf" && ok "cvmkey: shipped policy = audit" || bad "cvmkey: shipped policy = audit"
rm -rf "$d"
ctrl cvmkey postinst | grep -q 'adduser .*--system' && ok "cvmkey: postinst creates _cvmkey" || bad "cvmkey: postinst creates _cvmkey"

# libnss-cvm, when built
if [ -n "$(deb libnss-cvm)" ]; then
	has libnss-cvm './usr/lib/[a-z0-9_]+-linux-gnu[a-z0-9_]*/libnss_cvm\.so\.2' "libnss_cvm.so.2"
	has libnss-cvm './usr/share/man/man8/nss_cvm\.8\.gz' "nss_cvm(8)"
	[ "$(field libnss-cvm Multi-Arch)" = same ] && ok "libnss-cvm: Multi-Arch: same" || bad "libnss-cvm: Multi-Arch: same"
	ctrl libnss-cvm postinst | grep -q 'nsswitch.conf' && ok "libnss-cvm: dh-nss wires nsswitch.conf" || bad "libnss-cvm: dh-nss wires nsswitch.conf"
else
	echo "# libnss-cvm_*.deb not built: skipped"
fi

if [ "$fail" -eq 0 ]; then echo "PASS: .deb contents"; else echo "FAIL: .deb contents"; fi
exit "$fail"
