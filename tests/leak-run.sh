# Sourced by tests/leak.test and tests/leak-long.test: runs tests/leak
# and turns its TAP lines into ours (renumbered, prefixed).
valgrind_or_skip() { # valgrind with a leak check that fails the run
	command -v valgrind >/dev/null || { echo "ok 1 # SKIP valgrind not installed"; return 0; }
	valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect "$@" 2>"$VGLOG"
}
run_leak() { # title command...
	title=$1; shift
	VGLOG=$(mktemp /tmp/cvm-leak-vg.XXXXXX)
	out=$("$@"); rc=$?
	echo "$out" | while IFS= read -r line; do
		case $line in
		"ok "*) echo "ok - $title: ${line#ok * - }" ;;
		"not ok "*) echo "not ok - $title: ${line#not ok * - }" ;;
		esac
	done > "$VGLOG.tap"
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		*) not_ok "${line#not ok - }" ;;
		esac
	done < "$VGLOG.tap"
	if [ $rc -ne 0 ]; then
		not_ok "$title: exit status $rc"
		[ -s "$VGLOG" ] && sed 's/^/# /' "$VGLOG" | head -60
	fi
	rm -f "$VGLOG" "$VGLOG.tap"
}
