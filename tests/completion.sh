#!/bin/bash
# completion.sh - the shell completions: the bash one, sourced and called as
# bash calls it, completes commands, a command's options and directories,
# taking them from the program's --help; the zsh one is valid zsh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

COMP=$TEST_SRCDIR/../completions
[ -f "$COMP/wcindex" ] || fail "no completions/wcindex next to the tests"
type complete >/dev/null 2>&1 || skip "this bash has no programmable completion"
# shellcheck source=../completions/wcindex
. "$COMP/wcindex"

# The completion runs wcindex by the name typed: the one under test.
mkdir -p "$TMP/bin"
ln -s "$WCINDEX" "$TMP/bin/wcindex"
PATH=$TMP/bin:$PATH

# complete WORD...: COMPREPLY, sorted, on one line, for the command line
# WORD... with the cursor at the end of the last word.
complete_line () {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_wcindex
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

assert_eq "scan" "$(complete_line wcindex sc)" "commands after 'wcindex sc'"
assert_eq "total" "$(complete_line wcindex --db x.db t)" "commands after --db FILE"
assert_eq "status" "$(complete_line wcindex help st)" "commands after 'wcindex help'"

# the options are scan's, as its help lists them, and only those
want=$("$WCINDEX" scan --help | grep -oE -- '--no-[a-z-]+' | sort -u | tr '\n' ' ' | sed 's/ $//')
[ -n "$want" ] || fail "setup: scan --help lists no --no- option"
assert_eq "$want" "$(complete_line wcindex scan --no-)" "options after 'wcindex scan --no-'"
assert_match "(^| )--null( |\$)" "$(complete_line wcindex ls --)" "ls's own options"
assert_match "(^| )--version( |\$)" "$(complete_line wcindex status --)" "--version on every command"
assert_match "(^| )--db( |\$)" "$(complete_line wcindex status --)" "--db on every command"
assert_match "(^| )--version( |\$)" "$(complete_line wcindex --)" "the program's own options"

# paths: directories for a scan, files for --db, backup and sql -f
mkdir -p "$TMP/w/example dir" "$TMP/w/extra"
: >"$TMP/w/exfile"
cd "$TMP/w"
assert_eq "example dir|extra" "$(complete_line wcindex scan ex | sed 's/ e/|e/')" \
	"directories after 'wcindex scan ex'"
assert_eq "example dir|exfile|extra" "$(complete_line wcindex --db ex | sed 's/ e/|e/g')" \
	"files after --db"
assert_eq "example dir|exfile|extra" "$(complete_line wcindex backup ex | sed 's/ e/|e/g')" \
	"files after backup"
assert_eq "example dir|exfile|extra" "$(complete_line wcindex sql -f ex | sed 's/ e/|e/g')" \
	"files after sql -f"
assert_eq "" "$(complete_line wcindex scan --jobs ex)" "nothing for a number"
cd "$TMP"

# zsh: the script must at least parse
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$COMP/_wcindex" || fail "zsh -n rejects completions/_wcindex"
else
	note "zsh not installed: completions/_wcindex not checked"
fi
pass "bash completion of commands, options and paths"
