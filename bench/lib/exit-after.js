// bench/run exit: as exit-after.ipcs, in JavaScript (a timer, then the epoch ms as the last line)
setTimeout(() => console.log(String(Date.now())), 500);
