# Shared helpers for the harness scripts. Source it, do not run it.
#
# Every script prints one line per step ("==> ...") and dies with a
# message that names the fix.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO_ROOT/build}

step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# need_packages PKG...: install the Debian packages that are missing.
# As root they are installed with apt-get (after one apt-get update if
# a package is unknown); otherwise we stop and name them.
need_packages() {
	local missing=() pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0

	if [ "$(id -u)" -ne 0 ]; then
		die "missing Debian packages: ${missing[*]}; run: sudo apt-get install ${missing[*]}"
	fi
	step "installing Debian packages: ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			"${missing[@]}" >/dev/null 2>&1; then
		apt-get update -q >/dev/null 2>&1 ||
			die "apt-get update failed; check the network and apt sources"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			"${missing[@]}" >/dev/null ||
			die "apt-get install ${missing[*]} failed"
	fi
}

# run_logged LOG CMD...: run CMD with its output in LOG; on failure show
# the tail of LOG and fail.
run_logged() {
	local log=$1
	shift
	if ! "$@" >>"$log" 2>&1; then
		printf 'error: command failed: %s\n' "$*" >&2
		printf -- '---- last 40 lines of %s ----\n' "$log" >&2
		tail -n 40 "$log" >&2
		exit 1
	fi
}

# format_series TREE BASE OUTDIR: the commits BASE..HEAD of TREE as
# numbered patch files in OUTDIR, byte-for-byte reproducible: the same
# commits always give the same files, whatever the user's git config.
format_series() {
	git -C "$1" -c core.abbrev=12 -c diff.noprefix=false \
		-c diff.mnemonicPrefix=false -c format.headers= \
		-c format.signOff=false -c format.coverLetter=false \
		format-patch -q --zero-commit --no-signature --no-cover-letter \
		--no-thread --start-number=1 -o "$3" "$2..HEAD"
}
