# allocbench plot rss-sort_parallel_LC_ALL_C_usr_bin_sort_S_64M_parallel_2_data_te-0cd0cd: run 'gnuplot rss-sort_parallel_LC_ALL_C_usr_bin_sort_S_64M_parallel_2_data_te-0cd0cd.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "rss-sort_parallel_LC_ALL_C_usr_bin_sort_S_64M_parallel_2_data_te-0cd0cd.svg"
set grid
set title "sort-parallel LC_ALL=C /usr/bin/sort -S 64M --parallel=2 {data}/text.txt"
set xlabel "time (s), first repetition"
set ylabel "RSS (MiB)"
set yrange [0:*]
set key outside right top
plot "rss-sort_parallel_LC_ALL_C_usr_bin_sort_S_64M_parallel_2_data_te-0cd0cd.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "rss-sort_parallel_LC_ALL_C_usr_bin_sort_S_64M_parallel_2_data_te-0cd0cd.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "rss-sort_parallel_LC_ALL_C_usr_bin_sort_S_64M_parallel_2_data_te-0cd0cd.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "rss-sort_parallel_LC_ALL_C_usr_bin_sort_S_64M_parallel_2_data_te-0cd0cd.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "rss-sort_parallel_LC_ALL_C_usr_bin_sort_S_64M_parallel_2_data_te-0cd0cd.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "rss-sort_parallel_LC_ALL_C_usr_bin_sort_S_64M_parallel_2_data_te-0cd0cd.png"
replot
