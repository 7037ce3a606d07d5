# allocbench plot rss-false_sharing_seconds_2_5_t_2-db8d5e: run 'gnuplot rss-false_sharing_seconds_2_5_t_2-db8d5e.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "rss-false_sharing_seconds_2_5_t_2-db8d5e.svg"
set grid
set title "false-sharing --seconds 2.5 t=2"
set xlabel "time (s), first repetition"
set ylabel "RSS (MiB)"
set yrange [0:*]
set key outside right top
plot "rss-false_sharing_seconds_2_5_t_2-db8d5e.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "rss-false_sharing_seconds_2_5_t_2-db8d5e.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "rss-false_sharing_seconds_2_5_t_2-db8d5e.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "rss-false_sharing_seconds_2_5_t_2-db8d5e.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "rss-false_sharing_seconds_2_5_t_2-db8d5e.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "rss-false_sharing_seconds_2_5_t_2-db8d5e.png"
replot
