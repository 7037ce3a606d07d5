# allocbench plot rss-realloc_grow_ops_600000_seconds_300_t_1-5d1f41: run 'gnuplot rss-realloc_grow_ops_600000_seconds_300_t_1-5d1f41.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "rss-realloc_grow_ops_600000_seconds_300_t_1-5d1f41.svg"
set grid
set title "realloc-grow --ops 600000 --seconds 300 t=1"
set xlabel "time (s), first repetition"
set ylabel "RSS (MiB)"
set yrange [0:*]
set key outside right top
plot "rss-realloc_grow_ops_600000_seconds_300_t_1-5d1f41.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "rss-realloc_grow_ops_600000_seconds_300_t_1-5d1f41.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "rss-realloc_grow_ops_600000_seconds_300_t_1-5d1f41.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "rss-realloc_grow_ops_600000_seconds_300_t_1-5d1f41.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "rss-realloc_grow_ops_600000_seconds_300_t_1-5d1f41.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "rss-realloc_grow_ops_600000_seconds_300_t_1-5d1f41.png"
replot
