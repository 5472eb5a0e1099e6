#!/bin/sh
# Checks the pam-auth-update profiles debian/pam-configs/cvmkey and
# cvmkey-diagnose against this machine's PAM configuration, in a throwaway
# root: pam-auth-update --root on copies of /etc/pam.d, /usr/share/pam-configs
# and /var/lib/pam, with a private debconf database (pam-auth-update reads
# and writes the host's debconf database even with --root; DESIGN §7).
# Nothing of the machine's own configuration changes.  Needs Debian's
# libpam-runtime (pam-auth-update) and debconf; root is not required.
#
#   sh packaging/test-pam-profiles.sh [SRCDIR]
#
# Checks: after enabling, common-auth has the cvmkey line (DESIGN §2's
# control) before pam_unix, pam_unix's success=N jump lands on pam_permit,
# the diagnose line is after pam_unix and before pam_deny, account and
# session have their optional lines, and no other pam.d file changed;
# after --remove, no cvmkey line is left and common-* are as before.
set -eu

srcdir=${1:-$(cd "$(dirname "$0")/.." && pwd)}
command -v pam-auth-update >/dev/null 2>&1 ||
	PATH=$PATH:/usr/sbin:/sbin
command -v pam-auth-update >/dev/null 2>&1 ||
	{ echo "SKIP: pam-auth-update not installed (libpam-runtime)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
R=$tmp/root
mkdir -p "$R/etc" "$R/usr/share/pam-configs" "$R/var/lib/pam" "$tmp/debconf"
cp -a /etc/pam.d "$R/etc/"
cp -a /usr/share/pam-configs/. "$R/usr/share/pam-configs/"
[ -d /var/lib/pam ] && cp -a /var/lib/pam/. "$R/var/lib/pam/"
# Without our profiles first: a baseline in the throwaway root.
rm -f "$R/usr/share/pam-configs/cvmkey" "$R/usr/share/pam-configs/cvmkey-diagnose"

cat >"$tmp/debconf.conf" <<EOF
Config: configdb
Templates: templatedb

Name: configdb
Driver: File
Filename: $tmp/debconf/config.dat

Name: templatedb
Driver: File
Filename: $tmp/debconf/templates.dat
EOF
DEBCONF_SYSTEMRC=$tmp/debconf.conf
DEBIAN_FRONTEND=noninteractive
DEBCONF_NOWARNINGS=yes
export DEBCONF_SYSTEMRC DEBIAN_FRONTEND DEBCONF_NOWARNINGS
unset DEBCONF_DB_REPLACE DEBCONF_DB_OVERRIDE DEBCONF_DB_FALLBACK || true

fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

pam-auth-update --root "$R" --package
cp -a "$R/etc/pam.d" "$tmp/before"

cp "$srcdir/debian/pam-configs/cvmkey" "$srcdir/debian/pam-configs/cvmkey-diagnose" \
	"$R/usr/share/pam-configs/"
pam-auth-update --root "$R" --package
A=$R/etc/pam.d/common-auth
echo "--- generated common-auth:"
grep -v '^#' "$A" | grep -v '^$'
echo "---"

# Line numbers of the auth lines (comments and blank lines do not count
# for libpam's jumps; they are stripped first).
grep -v '^[[:space:]]*#' "$A" | grep -v '^[[:space:]]*$' >"$tmp/auth"
n_cvm=$(grep -n 'pam_cvmkey\.so[[:space:]]*$' "$tmp/auth" | head -1 | cut -d: -f1)
n_diag=$(grep -n 'pam_cvmkey\.so[[:space:]]\{1,\}diagnose' "$tmp/auth" | head -1 | cut -d: -f1)
n_unix=$(grep -n 'pam_unix\.so' "$tmp/auth" | head -1 | cut -d: -f1)
n_deny=$(grep -n 'pam_deny\.so' "$tmp/auth" | head -1 | cut -d: -f1)
n_permit=$(grep -n 'pam_permit\.so' "$tmp/auth" | head -1 | cut -d: -f1)

if [ -n "$n_cvm" ] && grep -q '^auth[[:space:]]\{1,\}\[success=ok ignore=ignore module_unknown=ignore default=bad\][[:space:]]\{1,\}pam_cvmkey\.so[[:space:]]*$' "$tmp/auth"; then
	ok "cvmkey auth line with DESIGN §2's control"
else bad "cvmkey auth line with DESIGN §2's control"; fi
if [ -n "$n_cvm" ] && [ -n "$n_unix" ] && [ "$n_cvm" -lt "$n_unix" ]; then
	ok "cvmkey ($n_cvm) before pam_unix ($n_unix)"
else bad "cvmkey (${n_cvm:-none}) before pam_unix (${n_unix:-none})"; fi
if [ -n "$n_diag" ] && [ "$n_diag" -gt "$n_unix" ] && [ "$n_diag" -lt "$n_deny" ] &&
    sed -n "${n_diag}p" "$tmp/auth" | grep -q '^auth[[:space:]]\{1,\}optional[[:space:]]'; then
	ok "diagnose ($n_diag, optional) after pam_unix ($n_unix), before pam_deny ($n_deny)"
else bad "diagnose (${n_diag:-none}) after pam_unix ($n_unix), before pam_deny ($n_deny)"; fi
jump=$(sed -n "${n_unix}p" "$tmp/auth" | sed -n 's/.*success=\([0-9][0-9]*\).*/\1/p')
if [ -n "$jump" ] && [ $((n_unix + jump + 1)) -eq "$n_permit" ]; then
	ok "pam_unix success=$jump lands on pam_permit (line $n_permit)"
else bad "pam_unix success=${jump:-?} lands on line $((n_unix + ${jump:-0} + 1)), pam_permit is $n_permit"; fi
# Every other success=N jump in the file lands at or before pam_permit, past pam_deny.
awk -v deny="$n_deny" -v permit="$n_permit" '
	match($0, /success=[0-9]+/) { n = substr($0, RSTART + 8, RLENGTH - 8) + 0
		t = NR + n + 1; if (t <= deny || t > permit) { print "bad jump on line " NR ": " $0; bad = 1 } }
	END { exit bad }' "$tmp/auth" && ok "every success=N jump skips pam_deny" ||
	bad "every success=N jump skips pam_deny"
grep -q '^account[[:space:]]\{1,\}optional[[:space:]]\{1,\}pam_cvmkey\.so' "$R/etc/pam.d/common-account" &&
	ok "common-account: optional pam_cvmkey.so" || bad "common-account: optional pam_cvmkey.so"
grep -q '^session[[:space:]]\{1,\}optional[[:space:]]\{1,\}pam_cvmkey\.so' "$R/etc/pam.d/common-session" &&
	ok "common-session: optional pam_cvmkey.so" || bad "common-session: optional pam_cvmkey.so"
grep -q pam_cvmkey "$R/etc/pam.d/common-password" &&
	bad "common-password untouched" || ok "common-password untouched"
changed=$(diff -rq "$tmp/before" "$R/etc/pam.d" | sed -n 's|^Files .* and .*/pam\.d/\([^ ]*\) differ$|\1|p' | sort | tr '\n' ' ')
case $changed in
"common-account common-auth common-session "|"common-account common-auth common-session common-session-noninteractive ")
	ok "only common-* changed ($changed)" ;;
*) bad "only common-* changed: $changed" ;;
esac

# Removal (libpam-cvmkey's prerm), then the files are gone (dpkg).
pam-auth-update --root "$R" --package --remove cvmkey cvmkey-diagnose
rm -f "$R/usr/share/pam-configs/cvmkey" "$R/usr/share/pam-configs/cvmkey-diagnose"
if grep -rl pam_cvmkey "$R/etc/pam.d" >/dev/null; then
	bad "no pam_cvmkey left after --remove"
else ok "no pam_cvmkey left after --remove"; fi
diff -r "$tmp/before" "$R/etc/pam.d" >/dev/null &&
	ok "pam.d identical to before" || bad "pam.d identical to before"

# An admin's own edits are never overwritten: lines added after
# pam-auth-update's block survive the package's install.  (Edits inside the
# block are pam-auth-update's own business: it then asks before it
# overwrites, and the default answer is no.)
cp "$srcdir/debian/pam-configs/cvmkey" "$srcdir/debian/pam-configs/cvmkey-diagnose" \
    "$R/usr/share/pam-configs/"
printf '# local edit by the admin\nauth optional pam_env.so\n' >> "$R/etc/pam.d/common-auth"
pam-auth-update --root "$R" --package >/dev/null 2>&1 || true
grep -q '^# local edit by the admin$' "$R/etc/pam.d/common-auth" &&
    grep -q 'pam_cvmkey.so *$' "$R/etc/pam.d/common-auth" &&
	ok "lines the admin added after the block survive the install" ||
	bad "lines the admin added after the block survive the install"

[ "$fail" -eq 0 ] && echo "PASS: pam-auth-update profiles" || echo "FAIL: pam-auth-update profiles"
exit "$fail"
