# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by tests/golden.test and tests/golden/regen: run one golden case
# into a folder holding just what the golden copy keeps.
# golden_run MIPSIM SRCDIR SCENARIO OPTIONS OUT
golden_run() {
  _mipsim=$1 _src=$2 _scenario=$3 _options=$4 _out=$5
  [ "$_options" = - ] && _options=
  _tmp=$_out.run
  rm -rf "$_tmp" "$_out"
  # shellcheck disable=SC2086
  "$_mipsim" run --out "$_tmp" $_options "$_src/$_scenario" >/dev/null || return 1
  mkdir -p "$_out"
  cp "$_tmp"/*.tsv "$_out"/
  if [ -d "$_tmp/pcap" ]; then
    (cd "$_tmp/pcap" && sha256sum -- *.pcap) >"$_out/pcap.sha256"
  fi
  rm -rf "$_tmp"
}
# The cases of the index, one "case scenario options" line each.
golden_cases() {
  grep -v '^#' "$1/tests/golden/index.tsv" | tr '\t' ' '
}
