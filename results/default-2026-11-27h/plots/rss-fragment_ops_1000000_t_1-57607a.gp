# allocbench plot rss-fragment_ops_1000000_t_1-57607a: run 'gnuplot rss-fragment_ops_1000000_t_1-57607a.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "rss-fragment_ops_1000000_t_1-57607a.svg"
set grid
set title "fragment --ops 1000000 t=1"
set xlabel "time (s), first repetition"
set ylabel "RSS (MiB)"
set yrange [0:*]
set key outside right top
plot "rss-fragment_ops_1000000_t_1-57607a.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "rss-fragment_ops_1000000_t_1-57607a.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "rss-fragment_ops_1000000_t_1-57607a.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "rss-fragment_ops_1000000_t_1-57607a.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "rss-fragment_ops_1000000_t_1-57607a.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "rss-fragment_ops_1000000_t_1-57607a.png"
replot
