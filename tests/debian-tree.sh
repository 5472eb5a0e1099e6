#!/bin/sh
# debian-tree.sh DIR CACHE: builds in DIR the login path of a stock Debian 12
# server from the distribution's own packages (openssh-server, libpam-*,
# base-passwd, systemd, libwrap0, debianutils, bash), as their maintainer scripts
# would leave it: sshd_config from /usr/share/openssh, common-* written by
# pam-auth-update --root (debconf isolated: it uses the host's database even
# with --root), host keys generated, ssh.service enabled for
# multi-user.target, passwd/group from base-passwd plus the sshd user.
# The .debs are fetched once with `apt-get download` into CACHE.
# Nothing outside DIR and CACHE is written.
set -eu
R=$1 C=$2
PKGS="bash openssh-server libpam-runtime libpam-modules libpam-modules-bin base-passwd systemd libwrap0 debianutils"
mkdir -p "$R" "$C"
for p in $PKGS; do
	ls "$C"/${p}_*.deb >/dev/null 2>&1 ||
	    (cd "$C" && apt-get download "$p" >/dev/null 2>&1) ||
	    { echo "cannot download $p" >&2; exit 77; }
done
for d in "$C"/*.deb; do dpkg-deb -x "$d" "$R"; done
cp "$R/usr/share/openssh/sshd_config" "$R/etc/ssh/sshd_config"
mkdir -p "$R/etc/ssh/sshd_config.d" "$R/root" && chmod 700 "$R/root"
cp "$R/usr/share/base-passwd/passwd.master" "$R/etc/passwd"
cp "$R/usr/share/base-passwd/group.master" "$R/etc/group"
echo 'sshd:x:100:65534::/run/sshd:/usr/sbin/nologin' >> "$R/etc/passwd"
sed 's/^\([^:]*\):.*/\1:*:19000:0:99999:7:::/' "$R/etc/passwd" > "$R/etc/shadow"
chmod 640 "$R/etc/shadow"
cp "$R/usr/share/debianutils/shells" "$R/etc/shells"
cat "$R"/usr/share/debianutils/shells.d/* >> "$R/etc/shells"	# the update-shells trigger
ssh-keygen -A -f "$R" >/dev/null
mkdir -p "$R/etc/systemd/system/multi-user.target.wants"
ln -sf /lib/systemd/system/ssh.service "$R/etc/systemd/system/multi-user.target.wants/ssh.service"
ln -sf /lib/systemd/system/ssh.service "$R/etc/systemd/system/sshd.service"

# pam-auth-update --root with a private debconf database
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
mkdir -p "$R/var/lib/pam"
cat > "$D/debconf.conf" <<X
Config: configdb
Templates: templatedb

Name: configdb
Driver: File
Filename: $D/config.dat

Name: templatedb
Driver: File
Filename: $D/templates.dat
X
DEBCONF_SYSTEMRC=$D/debconf.conf DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes \
    PATH=$PATH:/usr/sbin:/sbin pam-auth-update --root "$R" --package --force   # as on a first install (postinst)
