package io.sluice.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time consumed so far, in nanoseconds: of this JVM, or of another process on Linux. */
interface CpuTime {

  long nanos();

  /** This JVM, all threads (GC and JIT included): the whole cost of the client. */
  static CpuTime self() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      com.sun.management.OperatingSystemMXBean sun = (com.sun.management.OperatingSystemMXBean) os;
      return sun::getProcessCpuTime;
    }
    return () -> -1;
  }

  /**
   * Another process's utime + stime from {@code /proc/<pid>/stat}, at the kernel's USER_HZ of 100
   * (10 ms resolution: fine over windows of seconds). Returns -1 when the file cannot be read.
   */
  static CpuTime ofPid(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    return () -> {
      try {
        return parseProcStat(Files.readString(stat));
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    };
  }

  /** utime + stime (fields 14 and 15) in ns; the command name in parentheses may hold spaces. */
  static long parseProcStat(String line) {
    String[] f = line.substring(line.lastIndexOf(')') + 2).trim().split("\\s+");
    // f[0] is field 3 (state), so field n is f[n - 3].
    long ticks = Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    return ticks * 10_000_000L;
  }
}
