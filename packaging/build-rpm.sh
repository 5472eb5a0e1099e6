#!/bin/sh
# Builds the .rpm from `make dist`'s tarball with a private rpmbuild tree
# (nothing written to system directories), e.g. on Debian with its "rpm"
# package:
#
#   make dist && sh packaging/build-rpm.sh cvmkey-0.1.0.tar.gz [TOPDIR]
#
# Result: TOPDIR/RPMS/<arch>/cvmkey-*.rpm (TOPDIR default /tmp/rpmbuild).
# --nodeps: on a non-RPM system the RPM database knows no BuildRequires
# (Debian's build dependencies stand in for them: .ci/deps).  No debuginfo
# subpackage here: Debian's rpm lacks Fedora's find-debuginfo.
set -eu
tarball=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=${2:-/tmp/rpmbuild}
mkdir -p "$top/tmp" "$top/rpmdb"
rpmbuild -tb --nodeps \
	--define "_topdir $top" \
	--define "_tmppath $top/tmp" \
	--define "_dbpath $top/rpmdb" \
	--define "debug_package %{nil}" \
	"$tarball"
ls "$top"/RPMS/*/cvmkey-*.rpm
