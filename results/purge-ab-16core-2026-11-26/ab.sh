# A/B of purge settings on threadchurn and prodcons at 8 and 16 threads:
# ops/s and TLB shootdown interrupts (all CPUs) per run, interleaved.
D=$PWD/build-dev
tlb() { awk '/TLB/ {s=0; for (i=2;i<=NF;i++) if ($i ~ /^[0-9]+$/) s+=$i; print s}' /proc/interrupts; }
one() { # name env workload threads
  local name=$1 envs=$2 w=$3 t=$4 a b r
  a=$(tlb)
  r=$(env $envs $D/workloads/$w --threads $t --seconds 1 2>/dev/null | grep -o 'ops_per_s=[0-9.]*' | cut -d= -f2)
  b=$(tlb)
  echo "$w,$t,$name,$rep,$r,$((b-a))" >> $OUT/ab.csv
}
echo "workload,threads,config,rep,ops_per_s,tlb_shootdowns" > $OUT/ab.csv
for rep in 1 2 3 4 5; do
  for t in 8 16; do
    for w in threadchurn prodcons; do
      one glibc "X=1" $w $t
      one tcmalloc "LD_PRELOAD=$D/peers/libtcmalloc_minimal.so.4" $w $t
      one jemalloc "LD_PRELOAD=$D/peers/libjemalloc.so.2" $w $t
      one mimalloc "LD_PRELOAD=$D/peers/libmimalloc.so.2" $w $t
      one seg "LD_PRELOAD=$D/libsegalloc.so" $w $t
      one seg-nosparse "LD_PRELOAD=$D/libsegalloc-nosparse.so" $w $t
      one seg-nosparse-nopurge "SEGALLOC_PURGE_DELAY=-1 LD_PRELOAD=$D/libsegalloc-nosparse.so" $w $t
      one seg-nobg "SEGALLOC_BACKGROUND=0 LD_PRELOAD=$D/libsegalloc.so" $w $t
    done
  done
done
grep -c . $OUT/ab.csv
