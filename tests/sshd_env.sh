# Sourced by the sshd end-to-end test and the demo: re-runs the calling
# script inside tests/sandbox (a private mount namespace with its own /etc,
# /run, /mnt and /dev/log), then sets up accounts alice, bob, carol, dave,
# their keys, cvmkey.conf, the PAM service sshd-cvmtest, and functions to
# start a copy of sshd named sshd-cvmtest on 127.0.0.1 and log in to it.
# Nothing of the machine's own configuration is touched.
SSHD=${SSHD:-/usr/sbin/sshd}
if [ -z "${CVM_IN_SANDBOX:-}" ]; then
	[ "$(id -u)" = 0 ] || skip_all "needs root (mount namespace, sshd)"
	command -v sshpass >/dev/null || skip_all "sshpass not installed"
	[ -x "$SSHD" ] || skip_all "no sshd"
	[ "${CVM_SYSCONFDIR:-}" = /etc ] || skip_all "configure with --sysconfdir=/etc (the AuthorizedKeysCommand reads the compiled-in /etc/cvmkey/cvmkey.conf)"
	S=$(mktemp -d /tmp/cvm-e2e.XXXXXX) && chmod 755 "$S" || exit 1
	CVM_IN_SANDBOX=$S "$top_builddir/tests/sandbox" "$S" "$S/syslog" sh "$0"
	rc=$?
	[ $rc -eq 0 ] || [ -n "${CVM_QUIET:-}" ] || { echo "# syslog:"; sed 's/^/#   /' "$S/syslog"; }
	rm -rf "$S" 2>/dev/null
	exit $rc
fi

S=$CVM_IN_SANDBOX
LOG=$S/syslog
T=/mnt
# sshd checks that the AuthorizedKeysCommand and every directory above it
# are root-owned and not writable by others: /tmp would fail that.
mount -t tmpfs -o mode=755 tmpfs /mnt || exit 1
mount -t tmpfs -o mode=755 tmpfs /run || exit 1
mkdir -p /run/sshd "$S/etc.copy"
cp -a /etc/. "$S/etc.copy/" && mount --bind "$S/etc.copy" /etc || exit 1
mkdir -p $T/bin $T/lib $T/home /etc/cvmkey
cp "$top_builddir/cvmkey" $T/bin/cvmkey
cp "$top_builddir/.libs/pam_cvmkey.so" $T/lib/pam_cvmkey.so
cp "$SSHD" $T/bin/sshd-cvmtest
CVMKEY=$T/bin/cvmkey

# --- accounts -----------------------------------------------------------
hash() { perl -e 'print crypt($ARGV[0], "\$6\$rounds=400000\$" . $ARGV[1] . "\$")' "$1" "$2"; }
add_user() { # name uid password
	echo "$1:x:$2:$2:test:$T/home/$1:/bin/sh" >> /etc/passwd
	echo "$1:$(hash "$3" "salt$2"):19000:0:99999:7:::" >> /etc/shadow
	echo "$1:x:$2:" >> /etc/group
	mkdir -p $T/home/$1 && chown $2:$2 $T/home/$1
}
add_user alice 70101 alice-pw
add_user bob 70102 bob-pw
add_user carol 70103 carol-pw
add_user dave 70104 dave-pw
add_user erin 70105 erin-pw
sed -i 's/^erin:/erin:!/' /etc/shadow	# a locked password
echo "_cvmkeytest:x:70199:70199::/nonexistent:/usr/sbin/nologin" >> /etc/passwd
echo "_cvmkeytest:x:70199:" >> /etc/group

for u in alice carol dave; do ssh-keygen -q -t ed25519 -N '' -C "$u@laptop" -f $T/$u.key; done
# carol's key is bound the classic way, in authorized_keys.
install -d -o 70103 -g 70103 -m 700 $T/home/carol/.ssh
install -o 70103 -g 70103 -m 600 $T/carol.key.pub $T/home/carol/.ssh/authorized_keys

cat > /etc/cvmkey/cvmkey.conf <<CONF
policy = bound
db = $T/bindings.db
sshd_config = $T/sshd_config
CONF

PAMMOD=$T/lib/pam_cvmkey.so
cat > /etc/pam.d/sshd-cvmtest <<PAM
auth [success=ok ignore=ignore module_unknown=ignore default=bad] $PAMMOD
auth [success=2 default=ignore] pam_unix.so nodelay
auth optional $PAMMOD diagnose
auth requisite pam_deny.so
auth required pam_permit.so
account required pam_nologin.so
account required pam_unix.so
account optional $PAMMOD
session optional $PAMMOD
session required pam_permit.so
password required pam_deny.so
PAM

ssh-keygen -q -t ed25519 -N '' -f $T/hostkey
PORT=$((20000 + $$ % 20000))
SSHD_PID=
write_sshd_config() { # extra lines on stdin
	{
		cat <<CFG
Port $PORT
ListenAddress 127.0.0.1
HostKey $T/hostkey
PidFile $T/sshd.pid
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication yes
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
LogLevel ${SSHD_LOGLEVEL:-VERBOSE}
MaxStartups 50
CFG
		cat
	} > $T/sshd_config
}
AKC_LINES="AuthorizedKeysCommand $CVMKEY authorized-keys %u
AuthorizedKeysCommandUser _cvmkeytest"

stop_sshd() {
	[ -n "$SSHD_PID" ] || return 0
	kill "$SSHD_PID" 2>/dev/null
	wait "$SSHD_PID" 2>/dev/null
	SSHD_PID=
}
start_sshd() {
	stop_sshd
	: > $T/sshd.log
	$T/bin/sshd-cvmtest -D -f $T/sshd_config -E $T/sshd.log &
	SSHD_PID=$!
	wait_for $T/sshd.log "Server listening" 10 || { diag "sshd did not start:"; sed 's/^/#   /' $T/sshd.log; return 1; }
}
trap 'stop_sshd' EXIT

SSHOPTS="-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 -o LogLevel=ERROR -o NumberOfPasswordPrompts=1 -p $PORT"
ssh_pw() { # user password [method]
	sshpass -p "$2" ssh $SSHOPTS -o PreferredAuthentications=${3:-password} \
	    -o PubkeyAuthentication=no "$1@127.0.0.1" 'echo "in:$(id -un)"' 2>/dev/null
}
ssh_key() { # user keyfile
	ssh $SSHOPTS -i "$2" -o IdentitiesOnly=yes -o BatchMode=yes \
	    -o PreferredAuthentications=publickey "$1@127.0.0.1" 'echo "in:$(id -un)"' 2>/dev/null
}
logged_in() { [ "$1" = "in:$2" ]; }
log_has() { wait_for "$LOG" "$1" 3; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

