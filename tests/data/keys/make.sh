#!/bin/sh
# Regenerates the public keys used by tests/test_sshkey.c and the
# fingerprints ssh-keygen computes for them (expected.txt: file bits fp).
# Private keys are thrown away.  Needs ssh-keygen, base64, head, tail.
# sk-* keys cannot be generated without a token: they are built from the
# ed25519 / ecdsa-256 blobs by hand, and ssh-keygen -lf still fingerprints
# them.  The *-odd files are blobs sshd accepts in a non-canonical form
# (alias type name, zero-padded mpint): ssh-keygen -lf fingerprints the
# canonical re-serialisation, and so must we.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gen() {	# name type [bits]
	ssh-keygen -q -t "$2" ${3:+-b "$3"} -N '' -C "test-$1" -f "$tmp/$1"
	cp "$tmp/$1.pub" "$1.pub"
}
gen rsa1024 rsa 1024
gen rsa2048 rsa 2048
gen rsa3072 rsa 3072
gen dsa dsa
gen ecdsa256 ecdsa 256
gen ecdsa384 ecdsa 384
gen ecdsa521 ecdsa 521
gen ed25519 ed25519

blob() { cut -d' ' -f2 "$1.pub" | base64 -d; }
line() {	# type name comment < blob
	printf '%s %s %s\n' "$1" "$(base64 -w0)" "$3" > "$2.pub"
}

# sk-ssh-ed25519: string type, string pk(32), string application
{ printf '\000\000\000\032sk-ssh-ed25519@openssh.com'
  blob ed25519 | tail -c 36
  printf '\000\000\000\004ssh:'
} | line sk-ssh-ed25519@openssh.com sk-ed25519 test-sk-ed25519
# sk-ecdsa-sha2-nistp256: string type, string curve, string point, string app
{ printf '\000\000\000\042sk-ecdsa-sha2-nistp256@openssh.com'
  blob ecdsa256 | tail -c 81
  printf '\000\000\000\013ssh:testapp'
} | line sk-ecdsa-sha2-nistp256@openssh.com sk-ecdsa test-sk-ecdsa

# Non-canonical but accepted by sshd: blob type "RSA" (a short name),
# line type rsa-sha2-512, and e = 00 00 01 00 01.
{ printf '\000\000\000\003RSA\000\000\000\005\000\000\001\000\001'
  blob rsa2048 | tail -c +19
} | line rsa-sha2-512 rsa2048-odd test-rsa-odd

# Certificates: ssh-keygen -lf prints the certified key's fingerprint.
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ca-ed"
ssh-keygen -q -t ecdsa -b 256 -N '' -f "$tmp/ca-ec"
ssh-keygen -q -t rsa -b 2048 -N '' -f "$tmp/ca-rsa"
ssh-keygen -q -s "$tmp/ca-ed" -I ed-id -n alice,bob -V +520w "$tmp/ed25519.pub"
ssh-keygen -q -s "$tmp/ca-ec" -I rsa-id -n alice -O force-command=/bin/true "$tmp/rsa2048.pub"
ssh-keygen -q -s "$tmp/ca-rsa" -I ec-id -h -n host.example "$tmp/ecdsa256.pub"
cp "$tmp/ed25519-cert.pub" ed25519-cert.pub
cp "$tmp/rsa2048-cert.pub" rsa2048-cert.pub
cp "$tmp/ecdsa256-cert.pub" ecdsa256-cert.pub

: > expected.txt
for f in rsa1024 rsa2048 rsa3072 dsa ecdsa256 ecdsa384 ecdsa521 ed25519 \
    sk-ed25519 sk-ecdsa rsa2048-odd ed25519-cert rsa2048-cert ecdsa256-cert; do
	set -- $(ssh-keygen -lf "$f.pub")
	echo "$f $1 $2" >> expected.txt
done
