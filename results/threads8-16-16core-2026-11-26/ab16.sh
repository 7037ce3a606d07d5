# threadchurn and prodcons at 8 and 16 threads, the four peers and segalloc,
# 7 interleaved repetitions after one discarded warm-up round (the previous
# lease's first repetitions were slow for every allocator).
D=$PWD/build-dev
libs=("glibc:" "jemalloc:$D/peers/libjemalloc.so.2" "tcmalloc:$D/peers/libtcmalloc_minimal.so.4"
      "mimalloc:$D/peers/libmimalloc.so.2" "segalloc:$D/libsegalloc.so")
echo "workload,threads,allocator,rep,ops_per_s" > $OUT/ab16.csv
for rep in 0 1 2 3 4 5 6 7; do
  for t in 8 16; do
    for w in threadchurn prodcons; do
      n=${#libs[@]}
      for k in $(seq 0 $((n-1))); do
        e=${libs[$(( (k + rep) % n ))]}; name=${e%%:*}; lib=${e#*:}
        r=$(LD_PRELOAD=$lib $D/workloads/$w --threads $t --seconds 1 2>/dev/null | grep -o 'ops_per_s=[0-9.]*' | cut -d= -f2)
        [ $rep -gt 0 ] && echo "$w,$t,$name,$rep,$r" >> $OUT/ab16.csv
      done
    done
  done
done
grep -c . $OUT/ab16.csv
