# allocbench plot rss-churn64k_mode_around_seconds_2_5_t_2-1b7b51: run 'gnuplot rss-churn64k_mode_around_seconds_2_5_t_2-1b7b51.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "rss-churn64k_mode_around_seconds_2_5_t_2-1b7b51.svg"
set grid
set title "churn64k --mode around --seconds 2.5 t=2"
set xlabel "time (s), first repetition"
set ylabel "RSS (MiB)"
set yrange [0:*]
set key outside right top
plot "rss-churn64k_mode_around_seconds_2_5_t_2-1b7b51.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "rss-churn64k_mode_around_seconds_2_5_t_2-1b7b51.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "rss-churn64k_mode_around_seconds_2_5_t_2-1b7b51.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "rss-churn64k_mode_around_seconds_2_5_t_2-1b7b51.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "rss-churn64k_mode_around_seconds_2_5_t_2-1b7b51.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "rss-churn64k_mode_around_seconds_2_5_t_2-1b7b51.png"
replot
