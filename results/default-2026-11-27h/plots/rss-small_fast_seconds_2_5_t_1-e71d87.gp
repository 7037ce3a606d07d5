# allocbench plot rss-small_fast_seconds_2_5_t_1-e71d87: run 'gnuplot rss-small_fast_seconds_2_5_t_1-e71d87.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "rss-small_fast_seconds_2_5_t_1-e71d87.svg"
set grid
set title "small-fast --seconds 2.5 t=1"
set xlabel "time (s), first repetition"
set ylabel "RSS (MiB)"
set yrange [0:*]
set key outside right top
plot "rss-small_fast_seconds_2_5_t_1-e71d87.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "rss-small_fast_seconds_2_5_t_1-e71d87.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "rss-small_fast_seconds_2_5_t_1-e71d87.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "rss-small_fast_seconds_2_5_t_1-e71d87.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "rss-small_fast_seconds_2_5_t_1-e71d87.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "rss-small_fast_seconds_2_5_t_1-e71d87.png"
replot
