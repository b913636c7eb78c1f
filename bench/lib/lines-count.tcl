# bench lines from tclsh: the same count as lines-count.ipcs (cat's output, gets per line).
# usage: tclsh lines-count.tcl FILE     prints: lines=N secs=S
set t0 [clock microseconds]
set f [open "|cat [lindex $argv 0]" r]
set n 0
while {[gets $f line] >= 0} { incr n }
close $f
puts "lines=$n secs=[expr {([clock microseconds] - $t0) / 1e6}]"
