# allocbench plot cdf-threadchurn_seconds_2_5_t_2-0e32b6: run 'gnuplot cdf-threadchurn_seconds_2_5_t_2-0e32b6.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "cdf-threadchurn_seconds_2_5_t_2-0e32b6.svg"
set grid
set title "threadchurn --seconds 2.5 t=2"
set xlabel "cross-thread free latency (ns, log scale)"
set ylabel "fraction of frees slower than x (1 - CDF)"
set logscale xy
set format y "%g"
set yrange [*:1]
set key outside right top
plot "cdf-threadchurn_seconds_2_5_t_2-0e32b6.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "cdf-threadchurn_seconds_2_5_t_2-0e32b6.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "cdf-threadchurn_seconds_2_5_t_2-0e32b6.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "cdf-threadchurn_seconds_2_5_t_2-0e32b6.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "cdf-threadchurn_seconds_2_5_t_2-0e32b6.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "cdf-threadchurn_seconds_2_5_t_2-0e32b6.png"
replot
