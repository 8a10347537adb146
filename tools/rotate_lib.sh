# Sourced by the same-call A/B scripts (gpu_ab_rotate.sh, gpu_attn_variants.sh): runs every variant
# once per round with the variants' order rotated by one each round, so that no variant always
# runs first (right after a build's start, or after another's heat).
#   rotate_variants "NAME:COMMAND;NAME:COMMAND..." ROUNDS run_one
# calls `run_one ROUND NAME COMMAND` for each run (COMMAND may hold spaces: env settings, a path).
rotate_variants() {
  local spec=$1 rounds=$2 run_one=$3 variants n rep i v
  IFS=';' read -r -a variants <<<"$spec"
  n=${#variants[@]}
  for rep in $(seq "$rounds"); do
    for i in $(seq 0 $((n - 1))); do
      v=${variants[$(((i + rep - 1) % n))]}
      "$run_one" "$rep" "${v%%:*}" "${v#*:}"
    done
  done
}
