#!/bin/sh
# embed.sh NAME FILE: print a C file defining `const char NAME[]` holding FILE.
set -e
name=$1
file=$2
printf '/* generated from %s by embed.sh; do not edit */\n' "$(basename "$file")"
printf 'const char %s[] =\n' "$name"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$file"
printf ';\n'
