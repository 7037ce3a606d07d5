# allocbench plot rss-xz_T2_usr_bin_xz_T2_block_size_1MiB_2_c_data_text_txt-c5f111: run 'gnuplot rss-xz_T2_usr_bin_xz_T2_block_size_1MiB_2_c_data_text_txt-c5f111.gp' in this folder to redraw it
set datafile separator "\t"
set datafile missing "-"
set terminal svg size 1000,560 dynamic noenhanced font "sans,11" background rgb "white"
set output "rss-xz_T2_usr_bin_xz_T2_block_size_1MiB_2_c_data_text_txt-c5f111.svg"
set grid
set title "xz-T2 /usr/bin/xz -T2 --block-size=1MiB -2 -c {data}/text.txt"
set xlabel "time (s), first repetition"
set ylabel "RSS (MiB)"
set yrange [0:*]
set key outside right top
plot "rss-xz_T2_usr_bin_xz_T2_block_size_1MiB_2_c_data_text_txt-c5f111.dat" index 0 using 1:2 with lines linewidth 1.5 title "glibc", "rss-xz_T2_usr_bin_xz_T2_block_size_1MiB_2_c_data_text_txt-c5f111.dat" index 1 using 1:2 with lines linewidth 1.5 title "jemalloc", "rss-xz_T2_usr_bin_xz_T2_block_size_1MiB_2_c_data_text_txt-c5f111.dat" index 2 using 1:2 with lines linewidth 1.5 title "tcmalloc", "rss-xz_T2_usr_bin_xz_T2_block_size_1MiB_2_c_data_text_txt-c5f111.dat" index 3 using 1:2 with lines linewidth 1.5 title "mimalloc", "rss-xz_T2_usr_bin_xz_T2_block_size_1MiB_2_c_data_text_txt-c5f111.dat" index 4 using 1:2 with lines linewidth 1.5 title "segalloc"
set terminal pngcairo size 1000,560 noenhanced font "sans,10" background rgb "white"
set output "rss-xz_T2_usr_bin_xz_T2_block_size_1MiB_2_c_data_text_txt-c5f111.png"
replot
