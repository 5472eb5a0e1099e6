#!/bin/sh
# A demonstration, in a sandbox (private mount namespace: nothing of this
# machine's configuration changes): a real sshd on 127.0.0.1 with
# pam_cvmkey in its PAM stack and policy = bound.  alice has a key bound:
# her password is refused, with the reason in the log, and her key works;
# bob has none: his password works.  Run by `make demo` (as root).
set -u
. "${top_srcdir:?}/tests/lib.sh"
skip_all() { echo "demo: cannot run: $*" >&2; exit 1; }
. "$top_srcdir/tests/sshd_env.sh"

say() { printf '\n== %s\n' "$*"; }
printf '%s\n' "$AKC_LINES" | write_sshd_config
start_sshd || exit 1
say "cvmkey bind alice alice.pub --label laptop"
$CVMKEY bind alice $T/alice.key.pub --label laptop
say "cvmkey list"
$CVMKEY list
say "alice logs in by password (sshpass + ssh to 127.0.0.1:$PORT)"
if out=$(ssh_pw alice alice-pw) && logged_in "$out" alice; then
	echo "UNEXPECTED: alice got in by password"; exit 1
fi
echo "Permission denied, as for a wrong password."
say "what pam_cvmkey logged (LOG_AUTHPRIV)"
wait_for "$LOG" "refused user=alice" 3
grep -o 'pam_cvmkey.*refused user=alice.*' "$LOG"
say "alice logs in by key"
ssh_key alice $T/alice.key || exit 1
say "bob (no key bound) logs in by password"
ssh_pw bob bob-pw || exit 1
say "cvmkey unbind alice laptop; alice's password works again"
$CVMKEY unbind alice laptop
ssh_pw alice alice-pw || exit 1
stop_sshd
