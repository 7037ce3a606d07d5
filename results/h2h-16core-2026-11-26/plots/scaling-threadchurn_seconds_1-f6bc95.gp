# allocbench plot scaling-threadchurn_seconds_1-f6bc95: run 'gnuplot scaling-threadchurn_seconds_1-f6bc95.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "scaling-threadchurn_seconds_1-f6bc95.svg"
set grid
set title "threadchurn --seconds 1"
set xlabel "threads"
set ylabel "throughput (M ops/s, median)"
set logscale x 2
set yrange [0:*]
set key outside right top
plot "scaling-threadchurn_seconds_1-f6bc95.dat" index 0 using 1:2 with linespoints linewidth 1.5 title "glibc", "scaling-threadchurn_seconds_1-f6bc95.dat" index 1 using 1:2 with linespoints linewidth 1.5 title "jemalloc", "scaling-threadchurn_seconds_1-f6bc95.dat" index 2 using 1:2 with linespoints linewidth 1.5 title "tcmalloc", "scaling-threadchurn_seconds_1-f6bc95.dat" index 3 using 1:2 with linespoints linewidth 1.5 title "mimalloc", "scaling-threadchurn_seconds_1-f6bc95.dat" index 4 using 1:2 with linespoints linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "scaling-threadchurn_seconds_1-f6bc95.png"
replot
