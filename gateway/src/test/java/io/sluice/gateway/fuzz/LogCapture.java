package io.sluice.gateway.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Everything logged while a fuzz target runs: SLF4J's logger (logback's text layout; Sluice, Netty), which
 * writes to {@code System.err}, is teed here; java.util.logging (grpc-java) records at WARNING
 * or above are kept. {@link #problems} lists what a bad request must never cause: a WARN or ERROR
 * line, a stack trace, a SEVERE record.
 */
public final class LogCapture implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final List<LogRecord> records = new ArrayList<>();
  private final java.util.logging.Logger jul = java.util.logging.Logger.getLogger("");
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        synchronized (records) {
          records.add(record);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  public LogCapture() {
    OutputStream tee = new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (captured) {
          captured.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (captured) {
          captured.write(b, off, len);
        }
        original.write(b, off, len);
      }
    };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    jul.addHandler(handler);
  }

  /** WARN/ERROR lines, stack traces and JUL warnings since the last call, less {@code allowed}. */
  public List<String> problems(Predicate<String> allowed) {
    List<String> out = new ArrayList<>();
    String text;
    synchronized (captured) {
      text = captured.toString(StandardCharsets.UTF_8);
      captured.reset();
    }
    for (String line : text.split("\n")) {
      boolean bad = line.contains("] WARN ") || line.contains("] ERROR ")
          || line.startsWith("\tat ") || line.startsWith("Caused by:");
      if (bad && !allowed.test(line)) {
        out.add(line);
      }
    }
    synchronized (records) {
      for (LogRecord r : records) {
        String line = r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
            + (r.getThrown() == null ? "" : " " + r.getThrown());
        if (!allowed.test(line)) {
          out.add(line);
        }
      }
      records.clear();
    }
    return out;
  }

  public List<String> problems() {
    return problems(line -> false);
  }

  @Override
  public void close() {
    System.setErr(original);
    jul.removeHandler(handler);
  }
}
